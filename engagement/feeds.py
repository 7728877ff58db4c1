"""RSS 2.0 and Atom feeds of a repository's public changelog (Django's syndication framework).

Every link is absolute, built from ``PUBLIC_BASE_URL``; descriptions are the entries' sanitized HTML.
The feed is written once per changelog version and served from the page cache
(``public_pages.feed``): one round trip, an ETag, and ``Cache-Control`` that lets feed readers, a
CDN or a reverse proxy keep it a minute and serve it stale while they revalidate.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from changelog_site.kv import keys
from engagement import public_pages
from engagement.read_model import NotFound
from engagement.views import respond

FEED_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"


class ChangelogRssFeed(Feed):
    feed_type = Rss201rev2Feed
    kind = "rss"

    def __call__(self, request, owner, repo):
        repo_id = f"{owner}/{repo}"
        if not keys.REPO_NAME.match(repo_id):
            raise Http404("no such changelog")
        try:
            served = public_pages.feed(repo_id=repo_id, kind=self.kind,
                                       render=lambda context: self.write(request, repo_id, context))
        except NotFound as error:
            raise Http404("no such changelog") from error
        return respond(request, served, self.feed_type.content_type, FEED_CACHE_CONTROL)

    def write(self, request, repo_id, context):
        return self.get_feed({"repo_id": repo_id, "context": context}, request).writeString("utf-8")

    def title(self, obj):
        return f"{obj['context']['branding']['name']} changelog"

    def link(self, obj):
        return public_pages.changelog_url(obj["repo_id"], absolute=True)

    def feed_url(self, obj):
        return public_pages.changelog_url(obj["repo_id"], absolute=True) + self.feed_name

    feed_name = "rss.xml"

    def description(self, obj):
        return f"What's new in {obj['context']['branding']['name']}: every change, as it ships."

    subtitle = description

    def items(self, obj):
        return obj["context"]["entries"]

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        """The entry's HTML, then the issues it fixes and who to thank (docs/github-loop.md)."""
        return item["html"] + render_to_string("engagement/_entry_loop.html", {"entry": item}).strip()

    def item_link(self, item):
        return item["absoluteUrl"]

    def item_guid(self, item):
        return item["absoluteUrl"]

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item["publishedAt"]

    def item_updateddate(self, item):
        return item["publishedAt"]

    def item_author_name(self, item):
        return item["author"]

    def item_categories(self, item):
        return [item["category"]]


class ChangelogAtomFeed(ChangelogRssFeed):
    feed_type = Atom1Feed
    feed_name = "atom.xml"
    kind = "atom"
