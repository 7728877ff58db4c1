"""Public changelog routes (CONTRACT.md paths) and the owner's analytics page in the dashboard."""

from django.urls import path

from engagement import feeds, views

CHANGELOG = "changelog/<str:owner>/<str:repo>/"

urlpatterns = [
    path(CHANGELOG, views.changelog, name="public-changelog"),
    path(CHANGELOG + "rss.xml", feeds.ChangelogRssFeed(), name="public-rss"),
    path(CHANGELOG + "atom.xml", feeds.ChangelogAtomFeed(), name="public-atom"),
    path(CHANGELOG + "sitemap.xml", views.sitemap, name="public-sitemap"),
    path(CHANGELOG + "<int:pr_id>/", views.entry, name="public-entry"),
    path(CHANGELOG + "<int:pr_id>/upvote/", views.upvote, name="public-upvote"),
    path("dashboard/analytics/", views.analytics, name="dashboard-analytics"),
]
