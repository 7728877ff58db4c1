"""A per-repository sitemap (django.contrib.sitemaps): the changelog page and every entry."""

from django.contrib.sitemaps import Sitemap

from engagement import services


class ChangelogSitemap(Sitemap):
    changefreq = "weekly"

    def __init__(self, repo_id, entries, last_modified):
        self.repo_id = repo_id
        self.entries = entries
        self.last_modified = last_modified

    def items(self):
        return [None] + list(self.entries)

    def location(self, item):
        return services.changelog_url(self.repo_id) if item is None else item["url"]

    def lastmod(self, item):
        return self.last_modified if item is None else item["publishedAt"]

    def priority(self, item):
        return 1.0 if item is None else 0.6
