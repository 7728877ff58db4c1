"""Template helpers shared by the dashboard and the public pages."""

from django import template

from changelog_site.kv.records import parse_iso

register = template.Library()


@register.filter
def isotime(value):
    """The document's ISO 8601 timestamps as datetimes, for Django's ``date`` filter."""
    try:
        return parse_iso(value)
    except (TypeError, ValueError, AttributeError):
        return None
