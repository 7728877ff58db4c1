"""Where readers find an entry: the public changelog's addresses. The views behind them are
engagement's; their URL names resolve without importing it, so entries (social posts, the
editor) and every app above link to entries the same way."""

from django.conf import settings
from django.urls import reverse


def changelog_url(repo_id, absolute=False):
    owner, name = repo_id.split("/", 1)
    path = reverse("public-changelog", kwargs={"owner": owner, "repo": name})
    return settings.PUBLIC_BASE_URL + path if absolute else path


def entry_url(repo_id, pr_id, absolute=False):
    owner, name = repo_id.split("/", 1)
    path = reverse("public-entry", kwargs={"owner": owner, "repo": name, "pr_id": pr_id})
    return settings.PUBLIC_BASE_URL + path if absolute else path
