import json

import pytest

from changelog_site.kv.records import ValidationError
from roadmap.models import RoadmapItem, RoadmapUpvotes
from tests.factories import make_roadmap_item, make_user


def test_it_stores_a_roadmap_item_as_the_documents_json(redis_db):
    user = make_user()
    item = make_roadmap_item(user, repo_id="acme/api", issue_id=1, createdAt="2026-03-09T12:00:00Z",
                             updatedAt="2026-03-09T12:00:00Z", linkedEntryId="ent_x")

    raw = json.loads(redis_db.get(f"roadmap:{user.id}:acme/api:1"))

    assert raw == {"id": item.id, "userId": user.id, "repoId": "acme/api", "issueId": 1, "title": "Support SSO #1",
                   "body": "SAML please", "status": "planned", "upvotes": 0, "voterIds": [],
                   "githubIssueUrl": "https://github.com/acme/api/issues/1", "labels": ["enhancement"],
                   "linkedEntryId": "ent_x", "createdAt": "2026-03-09T12:00:00Z", "updatedAt": "2026-03-09T12:00:00Z"}
    assert RoadmapItem.get_by_id(item.id) == item


def test_it_lists_a_repos_items_by_issue_number(redis_db):
    user = make_user()
    for issue_id in (30, 4, 12):
        make_roadmap_item(user, repo_id="acme/api", issue_id=issue_id)
    make_roadmap_item(user, repo_id="acme/web", issue_id=1)

    assert [item.issueId for item in RoadmapItem.for_repo(user.id, "acme/api")] == [4, 12, 30]


def test_it_rejects_an_unknown_roadmap_status(redis_db):
    user = make_user()

    with pytest.raises(ValidationError):
        make_roadmap_item(user, status="someday")

    assert redis_db.keys("roadmap:*") == [] and redis_db.keys("idx:roadmap*") == []


def test_it_counts_a_roadmap_voter_once(redis_db):
    votes = RoadmapUpvotes("rmp_1")

    assert votes.upvote("visitor_a") == (True, 1)
    assert votes.upvote("visitor_a") == (False, 1)
    assert votes.upvote("visitor_b") == (True, 2)

    assert redis_db.get("roadmap:upvotes:rmp_1") == "2"
    assert redis_db.smembers("roadmap:upvotes:rmp_1:voters") == {"visitor_a", "visitor_b"}
    assert votes.has_voted("visitor_a") and not votes.has_voted("visitor_c")


def test_it_unindexes_a_deleted_roadmap_item(redis_db):
    user = make_user()
    item = make_roadmap_item(user, repo_id="acme/api")

    item.delete()

    assert RoadmapItem.for_repo(user.id, "acme/api") == []
    assert redis_db.keys("roadmap:*") == [] and redis_db.keys("idx:roadmap*") == []
