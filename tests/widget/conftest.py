"""Fixtures of the widget tests: a connected repository with published entries and its widget."""

from types import SimpleNamespace

import pytest
from django.test import Client

from tests.factories import make_entry, make_repo, make_user, make_widget

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
REPO = "octo-org/octo-repo"


def reader(**headers):
    """An anonymous reader's browser on another site: a real User-Agent, no session."""
    headers.setdefault("HTTP_USER_AGENT", BROWSER)
    headers.setdefault("HTTP_ORIGIN", "https://customer.example")
    return Client(**headers)


def publish(user, pr_id, repo_id=REPO, **fields):
    values = {"status": "published", "publishedAt": f"2026-03-{pr_id:02d}T10:00:00Z",
              "mergedAt": f"2026-03-{pr_id:02d}T09:00:00Z", "title": f"Dark mode, part {pr_id}"}
    values.update(fields)
    return make_entry(user, repo_id=repo_id, pr_id=pr_id, **values)


@pytest.fixture
def site(redis_db):
    """A user with ``octo-org/octo-repo`` connected, three published entries and a draft, and a widget."""
    user = make_user()
    make_repo(user, name=REPO)
    entries = [publish(user, n) for n in (1, 2, 3)]
    draft = make_entry(user, repo_id=REPO, pr_id=4, status="draft")
    widget = make_widget(user, repo_id=REPO)
    return SimpleNamespace(user=user, entries=entries, draft=draft, widget=widget,
                           data_url=f"/api/widget/{widget.id}", track_url=f"/api/widget/{widget.id}/track")


@pytest.fixture
def owner(account):
    """An account (bearer headers) with ``octo-org/octo-repo`` connected and one published entry."""
    record, django_user, headers = account()
    make_repo(record, name=REPO)
    publish(record, 1)
    return SimpleNamespace(user=record, django_user=django_user, headers=headers,
                           url="/api/repos/octo-org/octo-repo/widget/")
