from django.urls import re_path

from github_sync import api

urlpatterns = [
    re_path(r"^api/github/sync/?$", api.github_sync, name="github-sync"),
]
