"""Operations on changelog entries."""

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from engagement.models import EntryUpvotes, PageViews
from entries.models import SocialPost
from widget.models import WidgetConfig


def entry_purge(entry, *, pipe=None):
    """Delete an entry with everything hanging off its id: social drafts, upvotes, page views,
    its clicks in the repository's widget."""
    posts = SocialPost.for_entry(entry.userId, entry.id)
    widget = WidgetConfig.get(entry.userId, entry.repoId)
    with kv.atomic(pipe) as p:
        for post in posts:
            post.delete(pipe=p)
        EntryUpvotes(entry.id).delete(pipe=p)
        PageViews(entry.id).delete(pipe=p)
        if widget:
            p.delete(keys.widget_entry_clicks(widget.id, entry.id))
        entry.delete(pipe=p)
