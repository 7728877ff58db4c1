"""Shared by the GitHub-loop tests (docs/github-loop.md): a connected owner with a GitHub token, the
real merged-PR delivery with a body of our choosing, and GitHub's REST answers from the fixtures."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from github_sync.services import shipped
from github_sync.services.loop_settings import loop_settings_update
from tests.accounts_helpers import api
from tests.conftest import load_fixture
from tests.factories import make_account, make_repo
from tests.webhook_helpers import SECRET, deliver, fixture_json

REPO, REPO_ID, PR = "sish8075/statistics-source", 436929436, 17
TOKEN = "gho_githubLoopToken000000000000000000"
BODY = ("Export no longer fails on emoji.\n\nFixes #12, closes #13 and fixes other/repo#4.\n\n"
        "```\nfixes #99\n```\n\nCo-authored-by: Jane Doe <12345+janedoe@users.noreply.github.com>\n"
        "Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>")


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


@pytest.fixture(autouse=True)
def no_spacing(monkeypatch):
    """GitHub's calls are spaced a second apart in production; the tests do not wait."""
    monkeypatch.setattr(shipped, "WRITE_SPACING", 0)


def owner(private=False, token=TOKEN):
    """``MadeAccount`` of someone who connected REPO (with a GitHub token unless ``token=None``)."""
    made = make_account(github_token=token)
    make_repo(made.record, name=REPO, githubRepoId=REPO_ID, isPrivate=private)
    return made


def merged(body=BODY, **changes):
    """The real merged-PR delivery, merged a minute ago, with ``body``."""
    payload = fixture_json("pull_request.closed.merged")
    stamp = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    payload["pull_request"].update(body=body, merged_at=stamp, closed_at=stamp, updated_at=stamp, **changes)
    return payload


def edited(payload, **changes):
    event = json.loads(json.dumps(payload))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    event["action"] = "edited"
    event["pull_request"].update(updated_at=stamp, **changes)
    return event


def issue(number, title):
    item = json.loads(json.dumps(load_fixture("github/rest/issues.list-for-repo.json")[0]))
    item.pop("pull_request", None)
    item.update(number=number, title=title, html_url=f"https://github.com/{REPO}/issues/{number}")
    return item


def comment(comment_id, body="Shipped"):
    item = load_fixture("github/rest/issues.create-comment.json")
    item.update(id=comment_id, body=body)
    return item


def fake_issue_titles(github, missing=(13,)):
    """#12 and #13 exist, but for those in ``missing`` (404)."""
    for number, title in ((12, "Export fails on emoji"), (13, "Emoji in file names")):
        if number in missing:
            github.get(api(f"/repos/{REPO}/issues/{number}"), json={"message": "Not Found"}, status=404)
        else:
            github.get(api(f"/repos/{REPO}/issues/{number}"), json=issue(number, title))


def shipped_in(made, **changes):
    values = {"shipped_in": True, "released_label": "released", "remove_on_unpublish": False}
    values.update(changes)
    loop_settings_update(user_id=made.record.id, github_repo_id=REPO_ID, **values)


def deliver_merged(client, github, payload=None, missing=(13,)):
    """Deliver the merged PR (titles answered by ``github``) and return the response."""
    fake_issue_titles(github, missing)
    return deliver(client, "pull_request", payload or merged())
