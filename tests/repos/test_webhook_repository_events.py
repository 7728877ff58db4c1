"""repository renamed / transferred / deleted deliveries, through the real view."""

import json

import pytest

from engagement.models import Subscriber
from entries.models import Entry
from github_sync.services import repositories
from repos.models import Repo
from roadmap.models import RoadmapItem
from tests.factories import make_entry, make_repo, make_roadmap_item, make_subscriber, make_user, make_widget
from tests.webhook_helpers import SECRET, deliver, fixture_bytes, fixture_json
from widget.models import WidgetConfig

pytestmark = pytest.mark.django_db

GITHUB_ID = 186853261  # repository.renamed.json: Octocoders/Hello-World
OLD, NEW = "Octocoders/Old-World", "Octocoders/Hello-World"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def populated(redis_db):
    """Two users on the repository under its old name, with every kind of data that carries it."""
    alice, bob = make_user(), make_user()
    for user in (alice, bob):
        make_repo(user, name=OLD, githubRepoId=GITHUB_ID)
        make_entry(user, repo_id=OLD, pr_id=1, prUrl=f"https://github.com/{OLD}/pull/1")
        make_entry(user, repo_id=OLD, pr_id=2, status="published", publishedAt="2026-03-10T10:00:00Z")
        make_widget(user, repo_id=OLD)
        make_roadmap_item(user, repo_id=OLD, issue_id=7, githubIssueUrl=f"https://github.com/{OLD}/issues/7")
    make_subscriber(repo_id=OLD, email="reader@example.com")
    redis_db.hset(f"meta:backfill:{OLD}", mapping={"state": "done"})
    return alice, bob


def keys_naming(redis_db, name):
    return sorted(key for key in redis_db.keys("*") if name in key)


def test_it_moves_every_key_of_a_renamed_repository_and_leaves_none_behind(client, redis_db):
    alice, bob = populated(redis_db)
    before = set(redis_db.keys("*"))

    response = deliver(client, "repository", fixture_bytes("repository.renamed"), delivery="rename-0")

    assert response.status_code == 202
    assert response.json() == {"status": "queued", "rename": {"from": OLD, "to": NEW}}
    assert keys_naming(redis_db, OLD) == []
    for user in (alice, bob):
        repo = json.loads(redis_db.get(f"repo:{user.id}:{NEW}"))
        assert (repo["id"], repo["name"], repo["slug"], repo["githubRepoId"]) == \
            (NEW, NEW, "octocoders-hello-world", GITHUB_ID)
        assert redis_db.get(f"repo:{NEW}:users:{user.id}") == user.id
        assert [r.name for r in Repo.for_user(user.id)] == [NEW]
        draft = Entry.get(user.id, NEW, 1)
        assert draft.repoId == NEW and draft.prUrl == f"https://github.com/{NEW}/pull/1"
        assert Entry.get_by_id(draft.id) == draft
        assert [e.prId for e in Entry.page(user.id, "draft", repo_id=NEW)[0]] == [1]
        assert [e.prId for e in Entry.page(user.id, "published", repo_id=NEW)[0]] == [2]
        assert [e.prId for e in Entry.page(user.id, "draft")[0]] == [1]
        widget = WidgetConfig.get(user.id, NEW)
        assert WidgetConfig.get_by_id(widget.id) == widget and widget.repoId == NEW
        item = RoadmapItem.get(user.id, NEW, 7)
        assert RoadmapItem.for_repo(user.id, NEW) == [item]
        assert item.githubIssueUrl == f"https://github.com/{NEW}/issues/7"
    assert Repo.user_ids_for(NEW) == sorted([alice.id, bob.id])
    assert Repo.name_for_github_id(GITHUB_ID) == NEW
    assert [s.email for s in Subscriber.for_repo(NEW)] == ["reader@example.com"]
    assert redis_db.hgetall(f"meta:backfill:{NEW}") == {"state": "done"}
    # exactly the same keys, each under its new name, plus the delivery's marker
    assert set(redis_db.keys("*")) == {key.replace(OLD, NEW) for key in before} | {"lock:github-delivery:rename-0"}


def test_it_moves_a_transferred_repository(client, redis_db):
    user = make_user()
    make_repo(user, name="octo-org/tool", githubRepoId=99)
    make_entry(user, repo_id="octo-org/tool", pr_id=3)
    payload = fixture_json("repository.renamed")
    payload["action"] = "transferred"
    payload["changes"] = {"owner": {"from": {"user": {"login": "octo-org"}}}}
    payload["repository"].update(id=99, name="tool", full_name="new-owner/tool")

    response = deliver(client, "repository", payload)

    assert response.status_code == 202
    assert Entry.get(user.id, "new-owner/tool", 3) is not None
    assert keys_naming(redis_db, "octo-org/tool") == []


def test_a_redelivered_rename_changes_nothing(client, redis_db):
    populated(redis_db)
    body = fixture_bytes("repository.renamed")
    deliver(client, "repository", body, delivery="rename-1")
    snapshot = {key: redis_db.dump(key) for key in redis_db.keys("*")}

    response = deliver(client, "repository", body, delivery="rename-1")

    assert response.json() == {"status": "duplicate"}
    assert {key: redis_db.dump(key) for key in redis_db.keys("*")} == snapshot


def test_a_rename_interrupted_half_way_is_finished_by_the_next_attempt(redis_db, monkeypatch):
    alice, bob = populated(redis_db)
    with monkeypatch.context() as patch:
        patch.setattr(Repo, "move", lambda *args: (_ for _ in ()).throw(RuntimeError("crash")))
        with pytest.raises(RuntimeError):
            repositories.repo_rename(github_repo_id=GITHUB_ID, new_name=NEW)
    assert Repo.name_for_github_id(GITHUB_ID) == OLD  # the repo records move last: the old name resolves

    repositories.repo_rename(github_repo_id=GITHUB_ID, new_name=NEW)

    assert keys_naming(redis_db, OLD) == []
    assert Entry.get(alice.id, NEW, 1) is not None and Entry.get(bob.id, NEW, 2) is not None


def test_a_deleted_repository_is_marked_disconnected_and_the_user_told(client, redis_db):
    user = make_user()
    make_repo(user, name="Octocoders/Hello-World", githubRepoId=120)
    make_entry(user, repo_id="Octocoders/Hello-World", pr_id=4)

    response = deliver(client, "repository", fixture_bytes("repository.deleted"))

    assert response.status_code == 200
    assert repositories.repo_disconnected(user_id=user.id)["Octocoders/Hello-World"]["reason"] == "deleted_on_github"
    notice = repositories.user_notices(user_id=user.id)[0]
    assert notice["kind"] == "repo_deleted" and notice["repo"] == "Octocoders/Hello-World"
    assert Entry.get(user.id, "Octocoders/Hello-World", 4) is not None  # nothing is lost


def test_installation_events_are_acknowledged_and_write_nothing(client, redis_db):
    for name in ("installation.created", "installation.deleted", "installation_repositories.added"):
        response = deliver(client, name.split(".")[0], fixture_bytes(name))
        assert response.status_code == 200
        assert response.json() == {"status": "acknowledged"}
    assert redis_db.dbsize() == 0
