from django.urls import path

from changelog_site.converters import OWNER_REPO
from repos import api, views

urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("dashboard/repositories/", views.repositories, name="repositories"),
    path("dashboard/repositories/connect/", views.connect, name="repo-connect"),
    path(f"dashboard/repositories/{OWNER_REPO}/disconnect/", views.disconnect, name="repo-disconnect"),
    path("api/repos/", api.RepoListView.as_view(), name="api-repos"),
    path(f"api/repos/{OWNER_REPO}/", api.RepoDetailView.as_view(), name="api-repo"),
]
