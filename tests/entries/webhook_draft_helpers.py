"""Helpers shared by the GitHub webhook draft tests: the real merged PR, connected and replayed."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, fixture_json

MERGED = "pull_request.closed.merged"
MERGED_REPO, MERGED_REPO_ID = "sish8075/statistics-source", 436929436


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def connect(user=None, name=MERGED_REPO, github_id=MERGED_REPO_ID, **fields):
    user = user or make_user()
    make_repo(user, name=name, githubRepoId=github_id, **fields)
    return user


def recent_pr(minutes_ago=1, **changes):
    """The real merged payload, merged a moment ago (later events may create drafts near a merge)."""
    payload = fixture_json(MERGED)
    moment = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=minutes_ago)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["pull_request"].update(merged_at=stamp, closed_at=stamp, updated_at=stamp)
    payload["pull_request"].update(changes)
    return payload


def later(payload, action, seconds=30, **changes):
    event = json.loads(json.dumps(payload))
    event["action"] = action
    stamp = datetime.fromisoformat(event["pull_request"]["updated_at"].replace("Z", "+00:00")) + timedelta(seconds=seconds)
    event["pull_request"]["updated_at"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    event["pull_request"].update(changes)
    return event


def raw_entry(redis_db, user, pr_id=17, repo=MERGED_REPO):
    raw = redis_db.get(f"entry:{user.id}:{repo}:{pr_id}")
    return None if raw is None else json.loads(raw)
