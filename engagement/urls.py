"""Public changelog routes and the owner's analytics page in the dashboard;
email subscribers: the public subscription pages, the owner's Subscribers page and API."""

from django.urls import path

from changelog_site.converters import OWNER_REPO
from engagement import api_subscribers, feeds, views, views_subscribers, views_subscriptions

CHANGELOG = "changelog/<str:owner>/<str:repo>/"

urlpatterns = [
    path(CHANGELOG, views.changelog, name="public-changelog"),
    path(CHANGELOG + "rss.xml", feeds.ChangelogRssFeed(), name="public-rss"),
    path(CHANGELOG + "atom.xml", feeds.ChangelogAtomFeed(), name="public-atom"),
    path(CHANGELOG + "sitemap.xml", views.sitemap, name="public-sitemap"),
    path(CHANGELOG + "<int:pr_id>/", views.entry, name="public-entry"),
    path(CHANGELOG + "<int:pr_id>/upvote/", views.upvote, name="public-upvote"),
    path(CHANGELOG + "upvoted/", views.upvoted, name="public-upvoted"),
    path("dashboard/analytics/", views.analytics, name="dashboard-analytics"),
    # email subscribers (docs/subscribers.md)
    path(CHANGELOG + "subscribe/", views_subscriptions.subscribe, name="public-subscribe"),
    path("subscriptions/confirm/<str:token>/", views_subscriptions.confirm, name="subscription-confirm"),
    path("subscriptions/unsubscribe/<str:token>/", views_subscriptions.unsubscribe, name="subscription-unsubscribe"),
    path("subscriptions/preferences/<str:token>/", views_subscriptions.preferences, name="subscription-preferences"),
    path("dashboard/subscribers/", views_subscribers.subscribers_page, name="dashboard-subscribers"),
    path(f"dashboard/subscribers/{OWNER_REPO}/remove/", views_subscribers.subscriber_remove, name="subscriber-remove"),
    path(f"dashboard/subscribers/{OWNER_REPO}/import/", views_subscribers.subscribers_import, name="subscribers-import"),
    path(f"dashboard/subscribers/{OWNER_REPO}/digest/", views_subscribers.digest_now, name="subscribers-digest-now"),
    path(f"dashboard/subscribers/{OWNER_REPO}/test-digest/", views_subscribers.digest_test,
         name="subscribers-digest-test"),
    path(f"dashboard/subscribers/{OWNER_REPO}/mailchimp/", views_subscribers.mailchimp_sync,
         name="subscribers-mailchimp-sync"),
    path(f"dashboard/repositories/{OWNER_REPO}/subscribers/", views_subscribers.notifications_save,
         name="repo-subscriber-settings"),
    path(f"dashboard/repositories/{OWNER_REPO}/subscribers/test/", views_subscribers.channel_test,
         name="repo-channel-test"),
    path(f"api/repos/{OWNER_REPO}/subscribers/", api_subscribers.SubscriberListView.as_view(), name="api-subscribers"),
    path(f"api/repos/{OWNER_REPO}/digest/", api_subscribers.DigestSendView.as_view(), name="api-digest"),
]
