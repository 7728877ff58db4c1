"""A per-repository sitemap (django.contrib.sitemaps): the changelog page and every published entry.

Built from the read model's ids and timestamps only (``read_model.PublishedLinks``: one ZCARD and
one ZREVRANGE per sitemap page); no entry is loaded and no markdown rendered. Past ``limit`` URLs
(50,000, the protocol's cap) Django's paginator splits it and ``sitemap.xml`` becomes a sitemap
index of ``sitemap.xml?p=1``, ``?p=2``, ... (``views.sitemap``).
"""

from django.contrib.sitemaps import Sitemap

from engagement.public_pages import changelog_url, entry_url


class ChangelogSitemap(Sitemap):
    changefreq = "weekly"
    limit = 50000

    def __init__(self, repo_id, links, last_modified):
        self.repo_id = repo_id
        self.links = links
        self.last_modified = last_modified

    def items(self):
        return self.links

    def location(self, item):
        return changelog_url(self.repo_id) if item is None else entry_url(self.repo_id, item[0])

    def lastmod(self, item):
        """The changelog page: the changelog version's time; an entry: when its PR was merged."""
        return self.last_modified if item is None else item[1]

    def priority(self, item):
        return 1.0 if item is None else 0.6
