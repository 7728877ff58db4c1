"""Roadmap routes: the public roadmap and its upvotes, the voters' email links,
the owner's dashboard page and the roadmap API."""

from django.urls import path

import changelog_site.converters  # noqa: F401  (registers repo_part and record_id)
from changelog_site.converters import OWNER_REPO
from roadmap import api, dashboard, views

urlpatterns = [
    path(f"roadmap/{OWNER_REPO}/", views.roadmap, name="public-roadmap"),
    path(f"roadmap/{OWNER_REPO}/<int:issue_id>/upvote/", views.upvote, name="public-roadmap-upvote"),
    path(f"roadmap/{OWNER_REPO}/upvoted/", views.upvoted, name="public-roadmap-upvoted"),
    path("roadmap-alerts/confirm/<str:token>/", views.watch_confirm, name="roadmap-watch-confirm"),
    path("roadmap-alerts/stop/<str:token>/", views.watch_stop, name="roadmap-watch-stop"),
    path("dashboard/roadmap/", dashboard.roadmap_page, name="dashboard-roadmap"),
    path("dashboard/roadmap/sync/", dashboard.roadmap_sync, name="dashboard-roadmap-sync"),
    path("dashboard/roadmap/sync/progress/", dashboard.roadmap_sync_progress, name="dashboard-roadmap-sync-progress"),
    path("dashboard/roadmap/settings/", dashboard.roadmap_settings, name="dashboard-roadmap-settings"),
    path("dashboard/roadmap/items/<record_id:roadmap_id>/", dashboard.roadmap_item, name="dashboard-roadmap-item"),
    path("api/roadmap/", api.RoadmapListView.as_view(), name="api-roadmap"),
    path("api/roadmap/<record_id:roadmap_id>/", api.RoadmapDetailView.as_view(), name="api-roadmap-item"),
]
