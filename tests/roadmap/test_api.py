"""``GET /api/roadmap/?repo=`` and ``PATCH /api/roadmap/{roadmapId}/``."""

import json

import pytest

from roadmap.models import RoadmapItem, RoadmapUpvotes
from tests.factories import make_repo, make_roadmap_item

pytestmark = pytest.mark.django_db

REPO = "acme/api"


@pytest.fixture
def owned(account):
    record, _, auth = account()
    make_repo(record, name=REPO)
    items = [make_roadmap_item(record, repo_id=REPO, issue_id=number) for number in (3, 1)]
    return record, auth, items


def patch(client, auth, roadmap_id, body):
    return client.patch(f"/api/roadmap/{roadmap_id}/", data=json.dumps(body), content_type="application/json", **auth)


def test_it_lists_the_owners_items_with_live_votes(client, owned):
    record, auth, items = owned
    RoadmapUpvotes(items[0].id).upvote("reader-1")

    response = client.get("/api/roadmap/", {"repo": REPO}, **auth)

    results = response.json()["results"]
    assert response.status_code == 200 and [item["issueId"] for item in results] == [1, 3]
    assert results[1]["upvotes"] == 1 and results[1]["voters"] == 1 and "voterIds" not in results[1]
    assert response.json()["next"] is None
    assert results[0]["hidden"] is False and results[0]["offRoadmap"] is None


def test_it_moves_and_hides_an_item(client, owned):
    _, auth, items = owned

    moved = patch(client, auth, items[0].id, {"status": "in-progress"})
    hidden = patch(client, auth, items[0].id, {"hidden": True})

    assert moved.status_code == 200 and moved.json()["status"] == "in-progress"
    assert hidden.json()["hidden"] is True and hidden.json()["status"] == "in-progress"
    assert RoadmapItem.get_by_id(items[0].id).status == "in-progress"


@pytest.mark.parametrize("body", [{}, {"status": "someday"}, {"status": 3}, {"hidden": "maybe"}])
def test_it_refuses_bad_changes(client, owned, body):
    _, auth, items = owned

    response = patch(client, auth, items[0].id, body)

    assert response.status_code == 400 and response.json()["code"]
    assert RoadmapItem.get_by_id(items[0].id).status == "planned"


def test_another_owner_cannot_patch_or_list_these_items(client, owned, account):
    _, _, items = owned
    _, _, intruder = account()

    patched = patch(client, intruder, items[0].id, {"status": "completed", "hidden": True})
    listed = client.get("/api/roadmap/", {"repo": REPO}, **intruder)

    assert patched.status_code == 404 and patched.json()["code"] == "not_found"
    assert listed.status_code == 404
    assert RoadmapItem.get_by_id(items[0].id).status == "planned"


def test_it_needs_credentials(client, owned):
    _, _, items = owned

    assert client.get("/api/roadmap/").status_code == 401
    assert client.patch(f"/api/roadmap/{items[0].id}/", data="{}", content_type="application/json").status_code == 401


def test_the_gdpr_export_carries_the_live_votes(client, owned):
    _, auth, items = owned
    for voter in ("reader-1", "reader-2"):
        RoadmapUpvotes(items[0].id).upvote(voter)

    exported = {item["id"]: item for item in client.get("/api/me/export/", **auth).json()["roadmapItems"]}

    assert (exported[items[0].id]["upvotes"], exported[items[0].id]["voterIds"]) == (2, ["reader-1", "reader-2"])
    assert (exported[items[1].id]["upvotes"], exported[items[1].id]["voterIds"]) == (0, [])
