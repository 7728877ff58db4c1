"""The roadmap import through GitHub's REST API: every page, rate-limit aware, progress shown;
the dashboard's "Sync now" button and ``manage.py roadmap_sync``."""

import time

import pytest
import responses
from django.core.management import call_command
from responses import matchers

from repos.models import GitHubToken
from roadmap import importer, services
from roadmap.models import RoadmapItem
from tests.accounts_helpers import api
from tests.conftest import load_fixture
from tests.factories import make_repo, make_roadmap_item, make_user

pytestmark = pytest.mark.django_db

REPO, REPO_ID = "octokit-fixture-org/paginate-issues", 1000
ISSUES = api(f"/repos/{REPO}/issues")


@pytest.fixture
def owner():
    user = make_user()
    make_repo(user, name=REPO, githubRepoId=REPO_ID)
    GitHubToken(user.id).set("gho_roadmapImportToken000000000000000")
    return user


def replay(mock, first_headers=None):
    """The recorded five pages of open issues; the first answers our own query, the rest follow Link."""
    exchange = load_fixture("github/rest/issues.list-for-repo.paginated.recorded.json")
    for position, call in enumerate(exchange):
        headers = {"Link": call["headers"]["link"].replace("https://api.github.com", api("")),
                   "X-RateLimit-Remaining": call["headers"]["x-ratelimit-remaining"]}
        path, _, query = call["path"].partition("?")
        if position == 0:
            mock.get(ISSUES, json=call["response"], headers={**headers, **(first_headers or {})},
                     match=[matchers.query_param_matcher({"state": "open", "per_page": "100", "sort": "created",
                                                          "direction": "asc"})])
        else:
            mock.get(api(path), json=call["response"], headers=headers, match=[matchers.query_string_matcher(query)])
    return exchange


def test_it_imports_every_page_of_open_issues_with_progress(owner):
    seen = []
    with responses.RequestsMock() as mock:
        replay(mock)

        result = importer.roadmap_import(repo_name=REPO, on_progress=seen.append)

    items = RoadmapItem.for_repo(owner.id, REPO)
    assert [item.issueId for item in items] == list(range(1, 14))
    assert {item.status for item in items} == {"planned"}
    assert (result["state"], result["page"], result["pages"]) == ("done", 5, 5)
    assert (result["seen"], result["created"]) == (13, 13)
    assert [progress["page"] for progress in seen] == [0, 1, 2, 3, 4, 5, 5]
    assert importer.sync_progress(github_repo_id=REPO_ID)["state"] == "done"


def test_a_second_import_changes_nothing(owner):
    with responses.RequestsMock() as mock:
        replay(mock)
        importer.roadmap_import(repo_name=REPO)
    before = RoadmapItem.for_repo(owner.id, REPO)
    with responses.RequestsMock() as mock:
        replay(mock)
        result = importer.roadmap_import(repo_name=REPO)

    assert (result["created"], result["updated"]) == (0, 0) and RoadmapItem.for_repo(owner.id, REPO) == before


def test_it_waits_out_a_spent_rate_limit(owner):
    slept = []
    reset = str(int(time.time()) + 90)
    with responses.RequestsMock() as mock:
        mock.get(ISSUES, status=403, json={"message": "API rate limit exceeded"},
                 headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        replay(mock)

        importer.roadmap_import(repo_name=REPO, sleep=slept.append)

    assert 85 <= sum(slept) <= 95 and len(RoadmapItem.for_repo(owner.id, REPO)) == 13


def test_it_looks_up_items_it_did_not_meet_among_the_open_issues(owner):
    closed = make_roadmap_item(owner, repo_id=REPO, issue_id=40)
    deleted = make_roadmap_item(owner, repo_id=REPO, issue_id=41)
    issue = load_fixture("github/rest/issues.list-for-repo.paginated.recorded.json")[0]["response"][0]
    with responses.RequestsMock() as mock:
        replay(mock)
        mock.get(api(f"/repos/{REPO}/issues/40"), json={**issue, "number": 40, "state": "closed",
                                                        "state_reason": "completed",
                                                        "updated_at": "2026-03-10T10:00:00Z"})
        mock.get(api(f"/repos/{REPO}/issues/41"), status=404, json={"message": "Not Found"})

        result = importer.roadmap_import(repo_name=REPO)

    assert RoadmapItem.get_by_id(closed.id).status == "completed"
    assert RoadmapItem.get_by_id(deleted.id) is None and result["checked"] == 2 and result["removed"] == 1


def test_it_imports_through_the_management_command(owner, capsys):
    with responses.RequestsMock() as mock:
        replay(mock)

        call_command("roadmap_sync", REPO)

    assert "13 open issues read (5 pages), 13 new items" in capsys.readouterr().out
    assert len(RoadmapItem.for_repo(owner.id, REPO)) == 13


def test_the_dashboard_button_syncs_and_shows_progress(client, account):
    record, django_user, _ = account()
    make_repo(record, name=REPO, githubRepoId=REPO_ID)
    GitHubToken(record.id).set("gho_roadmapImportToken000000000000000")
    client.force_login(django_user)
    with responses.RequestsMock() as mock:
        replay(mock)

        response = client.post("/dashboard/roadmap/sync/", {"repo": REPO})

    progress = client.get("/dashboard/roadmap/sync/progress/", {"repo": REPO}).json()
    page = client.get(response["Location"]).content.decode()
    assert response.status_code == 302 and progress["state"] == "done" and progress["created"] == "13"
    assert "Last sync: 13 open issues, 13 new" in page and "Test issue 13" in page
    assert len(services.owned_items(user_id=record.id, repo_id=REPO)) == 13


def test_the_sync_needs_a_github_token(client, signed_in):
    client, record = signed_in
    make_repo(record, name=REPO, githubRepoId=REPO_ID)

    response = client.post("/dashboard/roadmap/sync/", {"repo": REPO}, follow=True)

    assert "has a GitHub token" in response.content.decode()
