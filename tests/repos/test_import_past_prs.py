"""The Repositories page's "Import past PRs" button runs the backfill task and shows its progress."""

import json

import pytest
import responses

from repos.models import GitHubToken
from tests.conftest import load_fixture
from tests.factories import make_repo, make_user

pytestmark = pytest.mark.django_db

REPO = "octocat/Hello-World"
PULLS = f"https://github.test/api/repos/{REPO}/pulls"


@pytest.fixture
def owner(signed_in):
    _, record = signed_in
    make_repo(record, name=REPO, githubRepoId=1296269)
    GitHubToken(record.id).set("gho_import")
    return record


def test_the_repositories_page_offers_the_import(client, owner):
    page = client.get("/dashboard/repositories/")

    assert page.status_code == 200
    assert b"Import past PRs" in page.content
    assert f'action="/dashboard/repositories/{REPO}/import/"'.encode() in page.content


@responses.activate
def test_the_button_imports_merged_prs_and_reports_progress(client, owner, redis_db):
    responses.get(PULLS, json=load_fixture("github/rest/pulls.list.json"))

    response = client.post(f"/dashboard/repositories/{REPO}/import/")

    assert response.status_code == 302
    entry = json.loads(redis_db.get(f"entry:{owner.id}:{REPO}:1347"))
    assert (entry["title"], entry["status"], entry["category"]) == ("Amazing new feature", "draft", "Fixed")
    progress = client.get(f"/dashboard/repositories/{REPO}/import/progress/").json()
    assert (progress["state"], progress["created"], progress["merged"]) == ("done", 1, 1)
    assert b"1 new drafts from 1 merged PRs" in client.get("/dashboard/repositories/").content


def test_it_refuses_a_repository_the_user_did_not_connect(client, owner, redis_db):
    other = make_user()
    make_repo(other, name="someone/private", githubRepoId=5)

    response = client.post("/dashboard/repositories/someone/private/import/")

    assert response.status_code == 404
    assert redis_db.keys("meta:backfill:*") == []
    assert client.get("/dashboard/repositories/someone/private/import/progress/").status_code == 404


def test_it_needs_a_signed_in_user(client, redis_db):
    assert client.post(f"/dashboard/repositories/{REPO}/import/").status_code == 302
    assert redis_db.keys("meta:backfill:*") == []


def test_the_rules_page_saves_the_users_rules_and_webhooks_follow_them(client, owner, redis_db):
    from github_sync.models import SyncSettings

    page = client.get(f"/dashboard/repositories/{REPO}/rules/")
    assert page.status_code == 200 and b"skip-changelog" in page.content

    response = client.post(f"/dashboard/repositories/{REPO}/rules/", {
        "skip_label": "internal", "skip_bots": "on", "bot_patterns": "[bot], renovate",
        "label_rules": "ux = improved", "prefix_rules": "docs = Other"})

    assert response.status_code == 302
    row = SyncSettings.objects.get(user_id=owner.id, github_repo_id=1296269)
    assert (row.skip_label, row.skip_bots, row.bot_patterns) == ("internal", True, "[bot],renovate")
    assert row.category_rules == {"labels": {"ux": "Improved"}, "prefixes": {"docs": "Other"}}


def test_the_rules_page_explains_a_bad_rule(client, owner):
    response = client.post(f"/dashboard/repositories/{REPO}/rules/", {"label_rules": "ux is great"})

    assert response.status_code == 200
    assert b"line 1" in response.content


def test_the_rules_page_is_only_for_the_users_repositories(client, owner):
    assert client.get("/dashboard/repositories/someone/else/rules/").status_code == 404
