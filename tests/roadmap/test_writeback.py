"""The optional write-back of vote counts to the GitHub issue: off by default, a label or
one kept-updated comment, through the owner's token."""

import json

import pytest
import responses

from repos.models import GitHubToken
from roadmap import services, tasks, writeback
from roadmap.models import RoadmapUpvotes
from tests.accounts_helpers import api
from tests.factories import make_repo, make_roadmap_item, make_user

pytestmark = pytest.mark.django_db

REPO = "acme/api"
TOKEN = "gho_writeBackToken0000000000000000000"


@pytest.fixture
def item():
    owner = make_user()
    make_repo(owner, name=REPO)
    GitHubToken(owner.id).set(TOKEN)
    return make_roadmap_item(owner, repo_id=REPO, issue_id=12)


def choose(item, mode):
    services.settings_update(user_id=item.userId, repo_id=REPO, label_filter="", planned_labels="",
                             in_progress_labels="in progress", completed_labels="", write_back=mode)


def test_it_is_off_by_default(item):
    RoadmapUpvotes(item.id).upvote("a")

    with responses.RequestsMock():  # any GitHub call would fail the test
        assert writeback.writeback_schedule(item=item) is False
        assert writeback.writeback_apply(roadmap_id=item.id) == "off"


def test_it_keeps_one_vote_label_on_the_issue(item):
    choose(item, "label")
    labels = api(f"/repos/{REPO}/issues/12/labels")
    with responses.RequestsMock() as mock:
        mock.post(labels, json=[])
        mock.delete(f"{labels}/roadmap%20votes%3A%201", json=[])
        RoadmapUpvotes(item.id).upvote("a")
        writeback.writeback_apply(roadmap_id=item.id)
        RoadmapUpvotes(item.id).upvote("b")
        writeback.writeback_apply(roadmap_id=item.id)
        unchanged = writeback.writeback_apply(roadmap_id=item.id)

        added = [json.loads(call.request.body)["labels"] for call in mock.calls if call.request.method == "POST"]
        assert added == [["roadmap votes: 1"], ["roadmap votes: 2"]] and unchanged == "unchanged"
        assert mock.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_it_keeps_one_comment_up_to_date(item):
    choose(item, "comment")
    with responses.RequestsMock() as mock:
        mock.post(api(f"/repos/{REPO}/issues/12/comments"), json={"id": 555}, status=201)
        mock.patch(api(f"/repos/{REPO}/issues/comments/555"), json={"id": 555})
        for voter in ("a", "b"):
            RoadmapUpvotes(item.id).upvote(voter)
            writeback.writeback_apply(roadmap_id=item.id)

        bodies = [(call.request.method, json.loads(call.request.body)["body"]) for call in mock.calls]
    assert [method for method, _ in bodies] == ["POST", "PATCH"]
    assert "**1** reader has upvoted" in bodies[0][1] and "**2** readers have upvoted" in bodies[1][1]
    assert f"http://testserver/roadmap/{REPO}/" in bodies[1][1]


def test_a_burst_of_votes_schedules_one_delayed_write(item, client, monkeypatch):
    choose(item, "comment")
    queued = []
    monkeypatch.setattr(tasks.writeback_task, "apply_async", lambda args, countdown: queued.append((args, countdown)))
    for n in range(3):
        client.post(f"/roadmap/{REPO}/12/upvote/", REMOTE_ADDR=f"192.0.2.{n + 1}",
                    HTTP_USER_AGENT="Mozilla/5.0 Firefox/128.0", HTTP_ACCEPT="application/json")

    with responses.RequestsMock() as mock:
        mock.post(api(f"/repos/{REPO}/issues/12/comments"), json={"id": 9}, status=201)
        writeback.writeback_apply(roadmap_id=item.id)

        assert "**3** readers" in json.loads(mock.calls[0].request.body)["body"]
    assert queued == [((item.id,), writeback.WRITE_BACK_DELAY)]
