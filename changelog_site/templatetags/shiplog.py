"""Template helpers shared by the dashboard and the public pages."""

import re

from django import template
from django.utils.html import format_html_join

from changelog_site import links
from changelog_site.kv.records import parse_iso

register = template.Library()


@register.filter
def isotime(value):
    """An ISO 8601 timestamp kept as text (in a ``meta:`` hash, ...) as a datetime, for Django's
    ``date`` filter; a record's timestamps are datetimes already and pass through."""
    try:
        return parse_iso(value)
    except (TypeError, ValueError):
        return None


@register.filter
def safe_url(value):
    """A URL from stored data as a link target: https (or the GitHub Enterprise host), else ``""``."""
    return links.safe_url(value)


@register.filter
def name_parts(value):
    """A repository name as units that wrap whole (``shiplog-demo/`` ``acme-app``): a heading then
    breaks after the ``/``, never at a hyphen (each part is an inline-block ``.name-part``)."""
    parts = [part for part in re.split(r"(?<=/)", str(value or "")) if part]
    return format_html_join("", '<span class="name-part">{}</span>', ((part,) for part in parts))
