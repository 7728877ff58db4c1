from django.urls import path

from accounts import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/settings/", views.settings_page, name="settings"),
    path("dashboard/settings/location/", views.settings_location, name="settings-location"),
    path("dashboard/settings/github-token/", views.settings_github_token, name="settings-github-token"),
    path("dashboard/settings/github-token/delete/", views.settings_github_token_delete,
         name="settings-github-token-delete"),
    path("dashboard/settings/github-token/verify/", views.settings_github_token_verify,
         name="settings-github-token-verify"),
    path("dashboard/settings/api-tokens/", views.settings_api_token_create, name="settings-api-token-create"),
    path("dashboard/settings/api-tokens/<int:token_id>/revoke/", views.settings_api_token_revoke,
         name="settings-api-token-revoke"),
    path("dashboard/settings/delete-account/", views.settings_delete_account, name="settings-delete-account"),
    path("api/me/", api.MeView.as_view(), name="api-me"),
    path("api/me/export/", api.MeExportView.as_view(), name="api-me-export"),
]
