"""``manage.py backfill OWNER/REPO [--since]`` and its Celery task, GitHub faked with responses."""

import json
import time
from datetime import date

import pytest
import responses
from responses import matchers
from django.core.management import CommandError, call_command

from github_sync.services import backfill
from github_sync.tasks import backfill_task
from repos.models import GitHubToken
from tests.conftest import load_fixture
from tests.factories import make_repo, make_user

pytestmark = pytest.mark.django_db

REPO = "octocat/Hello-World"
API = "https://github.test/api"
PULLS = f"{API}/repos/{REPO}/pulls"


def pr(number, merged_at="2026-02-10T10:00:00Z", updated_at=None, **changes):
    """The REST fixture's pull request, renumbered."""
    item = json.loads(json.dumps(load_fixture("github/rest/pulls.list.json")[0]))
    item.update(number=number, title=f"feat: thing {number}", merged_at=merged_at,
                updated_at=updated_at or merged_at or "2026-02-10T10:00:00Z",
                html_url=f"https://github.com/{REPO}/pull/{number}", labels=[])
    item.update(changes)
    return item


def connected(token="gho_backfill"):
    user = make_user()
    make_repo(user, name=REPO, githubRepoId=1296269)
    GitHubToken(user.id).set(token)
    return user


FIRST = [matchers.query_param_matcher({"state": "closed", "sort": "updated", "direction": "desc", "per_page": "100"})]
SECOND = [matchers.query_param_matcher({"page": "2"})]


def two_pages():
    responses.get(PULLS, match=FIRST, json=[pr(3), pr(2, merged_at=None)], headers={
        "Link": f'<{PULLS}?page=2>; rel="next", <{PULLS}?page=2>; rel="last"', "X-RateLimit-Remaining": "4999"})
    responses.get(PULLS, match=SECOND, json=[pr(1, merged_at="2026-01-05T09:00:00Z")],
                  headers={"X-RateLimit-Remaining": "4998"})


@responses.activate
def test_it_creates_drafts_for_merged_prs_across_pages(redis_db):
    user = connected()
    two_pages()

    result = backfill.entries_backfill(repo_name=REPO)

    assert (result["state"], result["page"], result["merged"], result["created"]) == ("done", 2, 2, 2)
    assert sorted(key for key in redis_db.keys("entry:*")) == [f"entry:{user.id}:{REPO}:1", f"entry:{user.id}:{REPO}:3"]
    entry = json.loads(redis_db.get(f"entry:{user.id}:{REPO}:3"))
    assert (entry["status"], entry["category"], entry["author"], entry["body"]) == \
        ("draft", "New", "octocat", "Please pull these awesome changes in!")
    first = responses.calls[0].request
    assert first.headers["Authorization"] == "Bearer gho_backfill"
    assert "state=closed" in first.url and "per_page=100" in first.url


@responses.activate
def test_it_is_idempotent(redis_db):
    connected()
    two_pages()
    backfill.entries_backfill(repo_name=REPO)
    snapshot = {key: redis_db.get(key) for key in redis_db.keys("entry:*")}

    again = backfill.entries_backfill(repo_name=REPO)

    assert again["created"] == 0
    assert {key: redis_db.get(key) for key in redis_db.keys("entry:*")} == snapshot


@responses.activate
def test_it_stops_at_prs_updated_before_since(redis_db):
    user = connected()
    responses.get(PULLS, json=[pr(5, merged_at="2026-03-01T00:00:00Z"),
                               pr(4, merged_at="2025-12-01T00:00:00Z", updated_at="2025-12-02T00:00:00Z")],
                  headers={"Link": f'<{PULLS}?page=2>; rel="next"'})

    result = backfill.entries_backfill(repo_name=REPO, since=date(2026, 1, 1))

    assert result["created"] == 1
    assert redis_db.keys("entry:*") == [f"entry:{user.id}:{REPO}:5"]
    assert len(responses.calls) == 1  # never asked for page 2


@responses.activate
def test_it_sleeps_until_the_rate_limit_resets(redis_db):
    connected()
    reset = int(time.time()) + 30
    responses.get(PULLS, status=403, json={"message": "API rate limit exceeded"},
                  headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})
    responses.get(PULLS, json=[pr(6)])
    slept = []

    result = backfill.entries_backfill(repo_name=REPO, sleep=slept.append)

    assert result["created"] == 1
    assert len(slept) == 1 and 29 <= slept[0] <= 32


@responses.activate
def test_it_reports_githubs_refusal(redis_db):
    connected()
    responses.get(PULLS, status=401, json={"message": "Bad credentials"})

    with pytest.raises(backfill.BackfillError):
        backfill.entries_backfill(repo_name=REPO)

    assert redis_db.hgetall(f"meta:backfill:{REPO}")["state"] == "failed"
    assert not redis_db.exists(f"lock:backfill:{REPO}")


@responses.activate
def test_the_command_backfills_with_progress(redis_db, capsys):
    user = connected()
    two_pages()

    call_command("backfill", REPO, "--since", "2026-01-01")

    assert "2 new drafts" in capsys.readouterr().out
    assert len(redis_db.keys(f"entry:{user.id}:*")) == 2


def test_the_command_rejects_a_repo_no_one_connected(redis_db):
    with pytest.raises(CommandError, match="not connected"):
        call_command("backfill", "someone/else")


@responses.activate
def test_the_task_backfills_and_leaves_its_progress(redis_db):
    connected()
    two_pages()

    backfill_task.delay(REPO, "2026-01-01")

    progress = backfill.backfill_progress(repo_name=REPO)
    assert (progress["state"], progress["created"], progress["since"]) == ("done", "2", "2026-01-01")
