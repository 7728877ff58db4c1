from django.urls import path, re_path

from changelog_site.converters import OWNER_REPO
from github_sync import api, views, views_loop

urlpatterns = [
    re_path(r"^api/github/sync/?$", api.github_sync, name="github-sync"),
    path(f"dashboard/repositories/{OWNER_REPO}/import/", views.import_past_prs, name="repo-import"),
    path(f"dashboard/repositories/{OWNER_REPO}/rules/", views.sync_settings, name="repo-sync-settings"),
    path(f"dashboard/repositories/{OWNER_REPO}/import/progress/", views.import_progress, name="repo-import-progress"),
    path(f"dashboard/repositories/{OWNER_REPO}/shipped-in/", views_loop.shipped_in_settings,
         name="repo-shipped-in-settings"),
    path("dashboard/entries/<record_id:entry_id>/github/post-again/", views_loop.entry_shipped_again,
         name="entry-shipped-again"),
]
