"""A failed or waiting "Import past PRs" reaches the user, with what to do; the progress endpoint has real fields."""

from datetime import datetime, timedelta, timezone

import pytest
import responses
import time_machine

from changelog_site.domain import Conflict
from github_sync.services import backfill
from github_sync.tasks import backfill_task
from repos.models import GitHubToken
from tests.factories import make_repo

pytestmark = pytest.mark.django_db

REPO = "octocat/Hello-World"
PULLS = f"https://github.test/api/repos/{REPO}/pulls"
PROGRESS = f"/dashboard/repositories/{REPO}/import/progress/"
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def owner(signed_in):
    _, record = signed_in
    make_repo(record, name=REPO, githubRepoId=1296269)
    return record


def test_without_a_token_the_import_says_what_to_do(client, owner):
    response = client.post(f"/dashboard/repositories/{REPO}/import/", follow=True)

    page = response.content.decode()
    assert "cannot start" in page and 'href="/dashboard/settings/#github"' in page
    assert "Importing" not in page.split("</ul>")[0]
    progress = client.get(PROGRESS).json()
    assert (progress["state"], progress["errorCode"]) == ("failed", "github_not_connected")
    assert progress["actionUrl"] == "/dashboard/settings/#github"
    assert progress["actionLabel"] == "Connect GitHub in Settings"
    assert progress["message"].startswith("Import failed: No one who connected")


def test_a_task_that_finds_no_token_records_the_failure(owner):
    with pytest.raises(Conflict):
        backfill.entries_backfill(repo_name=REPO)

    assert backfill.backfill_progress(repo_name=REPO)["errorCode"] == "github_not_connected"


@responses.activate
def test_a_refused_token_fails_with_a_link_to_settings(client, owner):
    GitHubToken(owner.id).set("gho_revoked")
    responses.get(PULLS, status=401, json={"message": "Bad credentials"})

    client.post(f"/dashboard/repositories/{REPO}/import/")

    progress = client.get(PROGRESS).json()
    assert (progress["state"], progress["errorCode"]) == ("failed", "github_reauth_required")
    assert progress["actionUrl"] and "refused the token" in progress["message"]
    assert "Replace the GitHub token" in client.get("/dashboard/repositories/").content.decode()


def test_a_queued_import_shows_at_once_and_then_asks_about_the_worker(client, owner, monkeypatch):
    GitHubToken(owner.id).set("gho_ok")
    monkeypatch.setattr(backfill_task, "delay", lambda *args: None)  # no worker picks it up
    with time_machine.travel(NOW, tick=False):
        page = client.post(f"/dashboard/repositories/{REPO}/import/", follow=True).content.decode()
        progress = client.get(PROGRESS).json()
    assert "queued" in page and progress["state"] == "queued" and progress["stale"] is False
    assert {"page", "pages", "seen", "merged", "created", "startedAt", "finishedAt"} <= set(progress)

    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        later = client.get(PROGRESS).json()

    assert later["stale"] is True and "worker" in later["message"]


def test_the_progress_of_a_repository_never_imported_is_idle(client, owner):
    progress = client.get(PROGRESS).json()

    assert progress["state"] == "idle" and progress["created"] == 0 and progress["error"] == ""
