"""RSS 2.0 and Atom feeds of a repository's public changelog (Django's syndication framework).

Every link is absolute, built from ``PUBLIC_BASE_URL``; descriptions are the entries' sanitized HTML.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from changelog_site.kv import keys
from engagement import services


class ChangelogRssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, owner, repo):
        repo_id = f"{owner}/{repo}"
        if not keys.REPO_NAME.match(repo_id):
            raise Http404("no such changelog")
        try:
            page, context = services.changelog_feed_items(repo_id=repo_id)
        except services.NotFound as error:
            raise Http404("no such changelog") from error
        return {"repo_id": repo_id, "page": page, "context": context}

    def title(self, obj):
        return f"{obj['context']['branding']['name']} changelog"

    def link(self, obj):
        return services.changelog_url(obj["repo_id"], absolute=True)

    def feed_url(self, obj):
        return services.changelog_url(obj["repo_id"], absolute=True) + self.feed_name

    feed_name = "rss.xml"

    def description(self, obj):
        return f"What's new in {obj['context']['branding']['name']}: every change, as it ships."

    subtitle = description

    def items(self, obj):
        return obj["context"]["entries"]

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return item["html"]

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

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response


class ChangelogAtomFeed(ChangelogRssFeed):
    feed_type = Atom1Feed
    feed_name = "atom.xml"
