"""Shared pieces of the roadmap tests: a connected repository and real ``issues`` payloads."""

import copy
import json

import pytest

from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, deliver, fixture_json

REPO, REPO_ID = "Codertocat/Hello-World", 186853002  # the repository of GitHub's documented examples


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


@pytest.fixture
def connected():
    """``connected(n=1, name=REPO, github_id=REPO_ID)`` -> n users who connected the repository."""

    def build(n=1, name=REPO, github_id=REPO_ID, **fields):
        users = [make_user() for _ in range(n)]
        for position, user in enumerate(users):
            make_repo(user, name=name, githubRepoId=github_id, connectedAt=f"2026-03-0{position + 1}T12:00:00Z",
                      **fields)
        return users

    return build


def issue_event(action="opened", number=1, updated_at="2026-03-10T10:00:00Z", repo=REPO, repo_id=REPO_ID, **issue):
    """GitHub's documented ``issues`` payload, changed as asked (``labels`` as a list of names)."""
    payload = copy.deepcopy(fixture_json("issues.opened"))
    payload["action"] = action
    labels = issue.pop("labels", None)
    payload["issue"].update(number=number, updated_at=updated_at,
                            html_url=f"https://github.com/{repo}/issues/{number}", **issue)
    if labels is not None:
        payload["issue"]["labels"] = [{"name": name, "color": "ededed"} for name in labels]
    payload["repository"].update(full_name=repo, id=repo_id)
    return payload


@pytest.fixture
def send(client):
    """``send(payload, delivery=None)`` POSTs an ``issues`` delivery, signed, to the real webhook view."""

    def post(payload, delivery=None, event="issues"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return deliver(client, event, body, delivery=delivery)

    return post
