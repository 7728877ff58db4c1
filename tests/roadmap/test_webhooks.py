"""``issues`` webhooks -> roadmap items, through the real webhook view with real signatures."""

import json

import pytest

from roadmap import services
from roadmap.models import RoadmapItem, RoadmapUpvotes
from tests.conftest import FIXTURES
from tests.factories import make_repo
from tests.roadmap.conftest import REPO, issue_event
from tests.webhook_helpers import fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db

ISSUE_FIXTURES = sorted(path.stem for path in (FIXTURES / "github" / "webhooks").glob("issues.*.json"))
# What each stored payload does to a roadmap whose repository it names was connected by two users.
EXPECTED = {
    "issues.opened": (200, {"status": "processed", "roadmap": {"created": 2}}),
    "issues.edited": (200, {"status": "processed", "roadmap": {"created": 2}}),
    "issues.unlabeled": (200, {"status": "processed", "roadmap": {"created": 2}}),
    "issues.closed": (200, {"status": "processed", "roadmap": {"created": 2}}),
    "issues.deleted": (200, {"status": "processed", "roadmap": {"absent": 2}}),
    "issues.milestoned": (202, {"status": "ignored", "reason": "pull_request"}),
}


def stored(user, number, repo=REPO):
    return RoadmapItem.get(user.id, repo, number)


@pytest.mark.parametrize("name", ISSUE_FIXTURES)
def test_it_answers_every_stored_issues_payload_through_the_signed_webhook(connected, send, name):
    payload = fixture_json(name)
    users = connected(2, name=payload["repository"]["full_name"], github_id=payload["repository"]["id"])

    response = send(fixture_bytes(name))

    assert name in EXPECTED, f"say what {name} does"
    assert (response.status_code, response.json()) == EXPECTED[name]
    issue = payload["issue"]
    items = [stored(user, issue["number"], payload["repository"]["full_name"]) for user in users]
    if EXPECTED[name][1].get("roadmap", {}).get("created"):
        assert [item.title for item in items] == [issue["title"]] * 2
        assert items[0].githubIssueUrl == issue["html_url"] and items[0].id != items[1].id
        assert items[0].status == ("completed" if issue["state"] == "closed" else "planned")
        assert items[0].labels == [label["name"] for label in issue["labels"]]
    else:
        assert items == [None, None]


def test_it_ignores_an_issues_delivery_for_a_repository_nobody_connected(send):
    response = send(fixture_bytes("issues.opened"))

    assert response.json() == {"status": "ignored", "reason": "not_connected"}


def test_it_applies_a_redelivery_once(connected, send, redis_db):
    user, = connected()
    send(issue_event(number=3, title="Dark mode"), delivery="d-1")
    item = stored(user, 3)
    RoadmapUpvotes(item.id).upvote("reader")

    again = send(issue_event(number=3, title="Dark mode"), delivery="d-1")

    assert again.json() == {"status": "duplicate"}
    assert stored(user, 3) == item and RoadmapUpvotes(item.id).count() == 1


def test_it_never_lets_an_older_event_undo_a_newer_one(connected, send):
    user, = connected()
    send(issue_event("edited", number=4, title="Dark mode, final", labels=["in progress"],
                     updated_at="2026-03-10T10:05:00Z"))

    late = send(issue_event("opened", number=4, title="Dark mode", labels=[], updated_at="2026-03-10T10:00:00Z"))

    assert late.json()["roadmap"] == {"stale": 1}
    item = stored(user, 4)
    assert (item.title, item.status, item.labels) == ("Dark mode, final", "in-progress", ["in progress"])


def test_it_keeps_a_deleted_issue_gone_when_an_older_event_arrives_late(connected, send, redis_db):
    user, = connected()
    send(issue_event(number=5, updated_at="2026-03-10T10:00:00Z"))
    roadmap_id = stored(user, 5).id
    RoadmapUpvotes(roadmap_id).upvote("reader")

    send(issue_event("deleted", number=5, updated_at="2026-03-10T10:01:00Z"))
    late = send(issue_event("labeled", number=5, labels=["enhancement"], updated_at="2026-03-10T10:00:30Z"))

    assert late.json()["roadmap"] == {"deleted": 1}
    assert stored(user, 5) is None
    assert not redis_db.exists(f"roadmap:upvotes:{roadmap_id}", f"roadmap:upvotes:{roadmap_id}:voters",
                               f"idx:roadmap:{roadmap_id}")


@pytest.mark.parametrize("labels, state, reason, column", [
    ([], "open", None, "planned"),
    (["In Progress"], "open", None, "in-progress"),
    (["doing", "bug"], "open", None, "in-progress"),
    (["in-progress"], "closed", "completed", "completed"),
    ([], "closed", None, "completed"),
])
def test_it_maps_github_state_and_labels_to_a_column(connected, send, labels, state, reason, column):
    user, = connected()

    send(issue_event("closed" if state == "closed" else "labeled", number=6, labels=labels, state=state,
                     state_reason=reason))

    assert stored(user, 6).status == column


def test_it_takes_an_issue_closed_as_not_planned_off_the_public_roadmap(connected, send):
    user, = connected()
    send(issue_event(number=7, updated_at="2026-03-10T10:00:00Z"))

    send(issue_event("closed", number=7, state="closed", state_reason="not_planned", updated_at="2026-03-10T11:00:00Z"))

    assert [owned.off for owned in services.owned_items(user_id=user.id, repo_id=REPO)] == ["not_planned"]
    assert services.public_roadmap(repo_id=REPO)["total"] == 0
    send(issue_event("reopened", number=7, updated_at="2026-03-10T12:00:00Z"))
    assert services.public_roadmap(repo_id=REPO)["columns"]["planned"][0]["issueId"] == 7


def test_it_uses_the_owners_label_rules(connected, send):
    user, = connected()
    services.settings_update(user_id=user.id, repo_id=REPO, label_filter="Roadmap", planned_labels="",
                             in_progress_labels="wip", completed_labels="released", write_back="off")

    skipped = send(issue_event(number=8, labels=["bug"], updated_at="2026-03-10T10:00:00Z"))
    send(issue_event("labeled", number=8, labels=["bug", "roadmap", "wip"], updated_at="2026-03-10T10:01:00Z"))
    in_progress = stored(user, 8).status
    send(issue_event("labeled", number=8, labels=["roadmap", "released"], updated_at="2026-03-10T10:02:00Z"))
    completed = stored(user, 8).status
    send(issue_event("unlabeled", number=8, labels=["released"], updated_at="2026-03-10T10:03:00Z"))

    assert skipped.json()["roadmap"] == {"not_on_roadmap": 1}
    assert (in_progress, completed) == ("in-progress", "completed")
    assert services.owned_items(user_id=user.id, repo_id=REPO)[0].off == "label_filter"


def test_it_keeps_a_manual_column_until_the_issue_changes_state(connected, send):
    user, = connected()
    send(issue_event(number=9, updated_at="2026-03-10T10:00:00Z"))
    services.item_update(user_id=user.id, roadmap_id=stored(user, 9).id, status="in-progress")

    send(issue_event("edited", number=9, title="Renamed", updated_at="2026-03-10T10:01:00Z"))
    kept = stored(user, 9).status
    send(issue_event("closed", number=9, state="closed", state_reason="completed", updated_at="2026-03-10T10:02:00Z"))

    assert kept == "in-progress" and stored(user, 9).status == "completed"


def test_it_moves_a_transferred_issue_with_its_votes_to_a_repository_the_user_connected(connected, send):
    user, = connected()
    make_repo(user, name="Codertocat/Other", githubRepoId=99)
    send(issue_event(number=10, title="Export to CSV"))
    item = stored(user, 10)
    RoadmapUpvotes(item.id).upvote("reader")
    event = issue_event("transferred", number=10, updated_at="2026-03-10T11:00:00Z")
    event["changes"] = {"new_issue": issue_event(number=2, repo="Codertocat/Other")["issue"],
                        "new_repository": {"id": 99, "full_name": "Codertocat/Other"}}

    response = send(event)

    moved = RoadmapItem.get(user.id, "Codertocat/Other", 2)
    assert response.json()["roadmap"] == {"moved": 1}
    assert stored(user, 10) is None and moved.id == item.id and RoadmapUpvotes(item.id).count() == 1
    assert moved.githubIssueUrl == "https://github.com/Codertocat/Other/issues/2"


def test_it_merges_the_votes_into_an_item_the_new_repository_made_already(connected, send):
    user, = connected()
    make_repo(user, name="Codertocat/Other", githubRepoId=99)
    send(issue_event(number=12))
    send(issue_event(number=3, repo="Codertocat/Other", repo_id=99))
    old, new = stored(user, 12), RoadmapItem.get(user.id, "Codertocat/Other", 3)
    for voter in ("a", "b"):
        RoadmapUpvotes(old.id).upvote(voter)
    RoadmapUpvotes(new.id).upvote("b")
    event = issue_event("transferred", number=12, updated_at="2026-03-10T11:00:00Z")
    event["changes"] = {"new_issue": issue_event(number=3, repo="Codertocat/Other")["issue"],
                        "new_repository": {"id": 99, "full_name": "Codertocat/Other"}}

    assert send(event).json()["roadmap"] == {"merged": 1}
    assert RoadmapUpvotes(new.id).count() == 2 and RoadmapUpvotes(new.id).voters() == {"a", "b"}
    assert stored(user, 12) is None and RoadmapUpvotes(old.id).count() == 0


def test_it_removes_an_issue_transferred_to_a_repository_the_user_did_not_connect(connected, send):
    user, = connected()
    send(issue_event(number=11))
    event = issue_event("transferred", number=11, updated_at="2026-03-10T11:00:00Z")
    event["changes"] = {"new_issue": issue_event(number=1, repo="someone/else")["issue"],
                        "new_repository": {"id": 5, "full_name": "someone/else"}}

    assert send(event).json()["roadmap"] == {"removed": 1}
    assert stored(user, 11) is None


@pytest.mark.parametrize("change", [{"number": "7"}, {"updated_at": "yesterday"}, {"html_url": "javascript:x"}])
def test_it_answers_400_to_a_malformed_issue(connected, send, change):
    connected()
    payload = issue_event()
    payload["issue"].update(change)

    response = send(json.dumps(payload).encode())

    assert response.status_code == 400 and response.json()["code"] == "invalid_payload"
