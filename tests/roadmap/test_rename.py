"""A renamed or transferred repository carries its roadmap along: items, votes, hidden
flags, watchers and rules, through the real ``repository`` webhook."""

import pytest

from roadmap import services
from roadmap.models import RoadmapItem, RoadmapUpvotes
from tests.factories import make_repo, make_roadmap_item, make_user
from tests.webhook_helpers import deliver, fixture_json

pytestmark = pytest.mark.django_db

GITHUB_ID = 186853261  # repository.renamed.json: Octocoders/Hello-World
OLD, NEW = "Octocoders/Old-World", "Octocoders/Hello-World"


@pytest.mark.parametrize("action, new", [("renamed", NEW), ("transferred", "NewOwner/Hello-World")])
def test_a_renamed_or_transferred_repository_keeps_its_roadmap(client, redis_db, action, new):
    payload = fixture_json("repository.renamed")
    payload["action"], payload["repository"]["full_name"] = action, new
    owner = make_user()
    make_repo(owner, name=OLD, githubRepoId=GITHUB_ID)
    services.settings_update(user_id=owner.id, repo_id=OLD, label_filter="roadmap", planned_labels="",
                             in_progress_labels="wip", completed_labels="", write_back="comment")
    shown = make_roadmap_item(owner, repo_id=OLD, issue_id=7, githubIssueUrl=f"https://github.com/{OLD}/issues/7")
    hidden = make_roadmap_item(owner, repo_id=OLD, issue_id=8)
    RoadmapUpvotes(shown.id).upvote("reader")
    services.item_update(user_id=owner.id, roadmap_id=hidden.id, hidden=True, status="in-progress")

    response = deliver(client, "repository", payload, delivery=f"{action}-roadmap")

    assert response.status_code == 202
    moved = RoadmapItem.get(owner.id, new, 7)
    assert moved.id == shown.id and moved.githubIssueUrl == f"https://github.com/{new}/issues/7"
    assert RoadmapItem.for_repo(owner.id, OLD) == [] and RoadmapUpvotes(shown.id).count() == 1
    owned = {o.item.issueId: o for o in services.owned_items(user_id=owner.id, repo_id=new)}
    assert owned[8].hidden and owned[8].item.status == "in-progress"
    public = services.public_roadmap(repo_id=new)
    assert [(card["issueId"], card["upvotes"]) for card in public["columns"]["planned"]] == [(7, 1)]
    assert services.settings_get(user_id=owner.id, github_repo_id=GITHUB_ID).label_filter == "roadmap"
    assert client.get(f"/roadmap/{new}/").status_code == 200 and client.get(f"/roadmap/{OLD}/").status_code == 404
    assert not [key for key in redis_db.keys("*") if OLD in key]
