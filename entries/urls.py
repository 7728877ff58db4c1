from django.urls import path, re_path

import changelog_site.converters  # noqa: F401  (registers record_id)
from entries import api, api_social, views, views_social

ENTRY = r"(?P<entry_id>[A-Za-z0-9_~.-]+)"
PLATFORM = r"(?P<platform>twitter|linkedin)"

urlpatterns = [
    path("dashboard/drafts/", views.drafts, name="dashboard-drafts"),
    path("dashboard/published/", views.published, name="dashboard-published"),
    path("dashboard/entries/bulk/", views.entries_bulk, name="entries-bulk"),
    path("dashboard/entries/preview/", views.entry_preview, name="entry-preview"),
    path("dashboard/entries/<record_id:entry_id>/", views.entry_edit, name="entry-edit"),
    re_path(r"^dashboard/entries/(?P<entry_id>[\w-]+)/(?P<action>publish|unpublish|rewrite|discard)/$",
            views.entry_action, name="entry-action"),
    path("api/entries/", api.EntryListView.as_view(), name="api-entries"),
    path("api/entries/<record_id:entry_id>/", api.EntryDetailView.as_view(), name="api-entry"),
    path("api/entries/<record_id:entry_id>/publish/", api.EntryPublishView.as_view(), name="api-entry-publish"),
    path("api/entries/<record_id:entry_id>/unpublish/", api.EntryUnpublishView.as_view(), name="api-entry-unpublish"),
    path("api/entries/<record_id:entry_id>/rewrite/", api.EntryRewriteView.as_view(), name="api-entry-rewrite"),
    path("api/usage/", api.UsageView.as_view(), name="api-usage"),
    # social posts (docs/social.md)
    path("dashboard/social/", views_social.social_list_page, name="dashboard-social"),
    path("dashboard/entries/<record_id:entry_id>/social/", views_social.social_page, name="entry-social"),
    path("dashboard/entries/<record_id:entry_id>/social/generate/", views_social.social_generate,
         name="entry-social-generate"),
    re_path(rf"^dashboard/entries/{ENTRY}/social/{PLATFORM}/save/$", views_social.social_save, name="entry-social-save"),
    re_path(rf"^dashboard/entries/{ENTRY}/social/{PLATFORM}/discard/$", views_social.social_discard,
            name="entry-social-discard"),
    path("api/entries/<record_id:entry_id>/social/", api_social.SocialListView.as_view(), name="api-entry-social"),
    re_path(rf"^api/entries/{ENTRY}/social/{PLATFORM}/$", api_social.SocialDetailView.as_view(),
            name="api-entry-social-platform"),
]
