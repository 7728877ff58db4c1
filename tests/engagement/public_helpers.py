"""Helpers shared by the public changelog tests."""

from django.test import Client

from tests.factories import make_entry, make_repo, make_user

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
REPO = "octo-org/octo-repo"
BASE = "/changelog/octo-org/octo-repo/"


def browser(**headers):
    headers.setdefault("HTTP_USER_AGENT", BROWSER)
    return Client(**headers)


def published(user, pr_id=None, repo_id=REPO, **fields):
    values = {"status": "published", "publishedAt": "2026-03-10T10:00:00Z"}
    values.update(fields)
    return make_entry(user, repo_id=repo_id, pr_id=pr_id, **values)


def connected(name=REPO):
    user = make_user()
    make_repo(user, name=name)
    return user
