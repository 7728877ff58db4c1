from django.urls import path

from accounts import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/account/create/", views.account_create_view, name="account-create"),
    path("dashboard/settings/", views.settings_page, name="settings"),
    path("dashboard/settings/location/", views.settings_location, name="settings-location"),
    path("dashboard/settings/api-tokens/", views.settings_api_token_create, name="settings-api-token-create"),
    path("dashboard/settings/api-tokens/<int:token_id>/revoke/", views.settings_api_token_revoke,
         name="settings-api-token-revoke"),
    path("dashboard/settings/delete-account/", views.settings_delete_account, name="settings-delete-account"),
    path("api/me/", api.MeView.as_view(), name="api-me"),
    path("api/me/export/", api.MeExportView.as_view(), name="api-me-export"),
]
