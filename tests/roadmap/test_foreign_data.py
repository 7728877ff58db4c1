"""Roadmap items and votes another implementation of the data document wrote show with
their counts and voters after ``kv_reindex``."""

import json

import pytest
from django.core.management import call_command

from roadmap import services
from roadmap.models import RoadmapUpvotes

pytestmark = pytest.mark.django_db

OWNER = "user_2NNEqLXyZabcdefghijklmn"
REPO = "acme/api"


def item(issue_id, roadmap_id, upvotes, voters, status="planned"):
    return {"id": roadmap_id, "userId": OWNER, "repoId": REPO, "issueId": issue_id, "title": f"Idea {issue_id}",
            "body": "Please.", "status": status, "upvotes": upvotes, "voterIds": voters,
            "githubIssueUrl": f"https://github.com/{REPO}/issues/{issue_id}", "labels": ["enhancement"],
            "createdAt": "2025-12-01T10:00:00.000Z", "updatedAt": "2025-12-02T10:00:00.000Z"}


@pytest.fixture
def foreign_keyspace(redis_db):
    r = redis_db
    r.set(f"user:{OWNER}", json.dumps({"id": OWNER, "email": "owner@example.com", "plan": "pro",
                                       "createdAt": "2025-11-02T08:00:00Z"}))
    r.set(f"repo:{OWNER}:{REPO}", json.dumps({"id": REPO, "userId": OWNER, "githubRepoId": 4242, "name": REPO,
                                              "slug": "acme-api", "isPrivate": False,
                                              "connectedAt": "2025-11-02T08:05:00Z"}))
    r.set(f"repo:{REPO}:users:{OWNER}", OWNER)
    # counted only inside the JSON
    r.set(f"roadmap:{OWNER}:{REPO}:1", json.dumps(item(1, "rm_json", 3, ["v1", "v2", "v3"])))
    # counted in the document's counter keys (the voters as a set, or as a JSON list)
    r.set(f"roadmap:{OWNER}:{REPO}:2", json.dumps(item(2, "rm_counted", 0, [], status="in-progress")))
    r.set("roadmap:upvotes:rm_counted", 5)
    r.sadd("roadmap:upvotes:rm_counted:voters", "a", "b", "c", "d", "e")
    r.set(f"roadmap:{OWNER}:{REPO}:3", json.dumps(item(3, "rm_list", 1, ["x"])))
    r.set("roadmap:upvotes:rm_list", 2)
    r.set("roadmap:upvotes:rm_list:voters", json.dumps(["x", "y"]))
    return r


def test_they_show_with_their_counts_and_voters_after_kv_reindex(foreign_keyspace, client):
    call_command("kv_reindex")

    page = services.public_roadmap(repo_id=REPO)
    owned = {o.item.id: o.item.upvotes for o in services.owned_items(user_id=OWNER, repo_id=REPO)}

    assert [(card["id"], card["upvotes"]) for card in page["columns"]["planned"]] == [("rm_json", 3), ("rm_list", 2)]
    assert [(card["id"], card["upvotes"]) for card in page["columns"]["in-progress"]] == [("rm_counted", 5)]
    assert owned == {"rm_json": 3, "rm_list": 2, "rm_counted": 5}
    assert RoadmapUpvotes("rm_json").voters() == {"v1", "v2", "v3"} and RoadmapUpvotes("rm_list").voters() == {"x", "y"}
    assert RoadmapUpvotes("rm_counted").voters() == {"a", "b", "c", "d", "e"}
    assert "Idea 1" in client.get(f"/roadmap/{REPO}/").content.decode()


def test_a_vote_after_the_migration_counts_on_top_and_a_second_run_changes_nothing(foreign_keyspace):
    call_command("kv_reindex")
    RoadmapUpvotes("rm_json").upvote("v4")

    call_command("kv_reindex")

    assert RoadmapUpvotes("rm_json").count() == 4
    assert RoadmapUpvotes("rm_json").voters() == {"v1", "v2", "v3", "v4"}
