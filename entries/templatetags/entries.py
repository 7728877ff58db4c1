"""Entries' parts of pages other apps render: ``{% entry_counts as counts %}`` (drafts and
published, for the overview) and ``{% example_changelog_url as url %}`` (the demo's live changelog,
for the home page)."""

from django import template

from entries import demo
from entries.models import Entry

register = template.Library()


@register.simple_tag(takes_context=True)
def entry_counts(context):
    user_id = context["request"].shiplog_user_id
    return {status: Entry.count(user_id, status) for status in ("draft", "published")}


@register.simple_tag
def example_changelog_url():
    return demo.example_changelog_url()
