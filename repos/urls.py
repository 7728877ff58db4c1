from django.urls import path

from changelog_site.converters import OWNER_REPO
from repos import api, views

urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("dashboard/repositories/", views.repositories, name="repositories"),
    path("dashboard/repositories/connect/", views.connect, name="repo-connect"),
    path(f"dashboard/repositories/{OWNER_REPO}/disconnect/", views.disconnect, name="repo-disconnect"),
    path("dashboard/settings/github-token/", views.github_token_set, name="settings-github-token"),
    path("dashboard/settings/github-token/delete/", views.github_token_remove, name="settings-github-token-delete"),
    path("dashboard/settings/github-token/verify/", views.github_token_check, name="settings-github-token-verify"),
    path("api/repos/", api.RepoListView.as_view(), name="api-repos"),
    path(f"api/repos/{OWNER_REPO}/", api.RepoDetailView.as_view(), name="api-repo"),
]
