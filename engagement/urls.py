from django.urls import path

from engagement import feeds, views

app_name = "engagement"

urlpatterns = [
    path("changelog/<str:owner>/<str:repo>/", views.changelog, name="changelog"),
    path("changelog/<str:owner>/<str:repo>/rss.xml", feeds.ChangelogRssFeed(), name="rss"),
    path("changelog/<str:owner>/<str:repo>/atom.xml", feeds.ChangelogAtomFeed(), name="atom"),
    path("changelog/<str:owner>/<str:repo>/sitemap.xml", views.sitemap, name="sitemap"),
    path("changelog/<str:owner>/<str:repo>/<int:pr_id>/", views.entry, name="entry"),
    path("changelog/<str:owner>/<str:repo>/<int:pr_id>/upvote/", views.upvote, name="upvote"),
    path("dashboard/analytics/", views.analytics, name="analytics"),
]
