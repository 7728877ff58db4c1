"""The Repositories page's "Import past PRs" button runs the backfill task and shows its progress."""

import json

import pytest
import responses

from billing.models import Account
from repos.models import GitHubToken
from tests.conftest import load_fixture
from tests.factories import make_repo, make_user

pytestmark = pytest.mark.django_db

REPO = "octocat/Hello-World"
PULLS = f"https://github.test/api/repos/{REPO}/pulls"


@pytest.fixture
def owner(client, django_user_model):
    record = make_user()
    django_user = django_user_model.objects.create_user(username=record.email, email=record.email)
    Account.objects.create(user=django_user, shiplog_user_id=record.id)
    make_repo(record, name=REPO, githubRepoId=1296269)
    GitHubToken(record.id).set("gho_import")
    client.force_login(django_user)
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
    assert (progress["state"], progress["created"], progress["merged"]) == ("done", "1", "1")
    assert b"1 new drafts from 1 merged PRs" in client.get("/dashboard/repositories/").content


def test_it_refuses_a_repository_the_user_did_not_connect(client, owner, redis_db):
    other = make_user()
    make_repo(other, name="someone/private", githubRepoId=5)

    response = client.post("/dashboard/repositories/someone/private/import/")

    assert response.status_code == 302
    assert redis_db.keys("idx:backfill:*") == []
    assert client.get("/dashboard/repositories/someone/private/import/progress/").status_code == 404


def test_it_needs_a_signed_in_user(client, redis_db):
    assert client.post(f"/dashboard/repositories/{REPO}/import/").status_code == 302
    assert redis_db.keys("idx:backfill:*") == []
