"""The widget's routes: the public embed (CONTRACT.md paths), the owner's API and dashboard pages."""

from django.urls import path, re_path

from changelog_site.converters import OWNER_REPO
from widget import api, public, views

urlpatterns = [
    path("widget.js", public.widget_loader, name="widget-loader"),
    re_path(r"^widget/v/(?P<version>[0-9a-f]{1,64})\.js$", public.widget_script_versioned, name="widget-script"),
    path("api/widget/<record_id:widget_id>", public.widget_data, name="api-widget-data"),
    path("api/widget/<record_id:widget_id>/track", public.widget_track, name="api-widget-track"),
    path(f"api/repos/{OWNER_REPO}/widget/", api.WidgetView.as_view(), name="api-repo-widget"),
    path(f"api/repos/{OWNER_REPO}/widget/regenerate/", api.WidgetRegenerateView.as_view(),
         name="api-repo-widget-regenerate"),
    path("dashboard/widget/", views.customizer, name="dashboard-widget"),
    path("dashboard/widget/create/", views.create, name="widget-create"),
    path("dashboard/widget/regenerate/", views.regenerate, name="widget-regenerate"),
    path("dashboard/widget/switch/", views.switch, name="widget-switch"),
    path("dashboard/widget/analytics/", views.analytics_page, name="widget-analytics"),
]
