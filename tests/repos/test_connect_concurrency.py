"""Several users connecting and disconnecting one repository at the same time: one
hook, one secret, and the last one out removes both exactly once. Against a fake GitHub that,
like the real one under concurrent requests, can create a second hook when two arrive at once."""

import json
import re
import threading
import time

import pytest
import responses
from django.db import connection

from repos.hook_secrets import HookSecret
from repos.models import Repo, RepoHookSecret
from repos.services import repo_connect, repo_disconnect
from tests.accounts_helpers import api, repository
from tests.factories import GITHUB_TOKEN, make_account

pytestmark = pytest.mark.django_db(transaction=True)

NAME, GITHUB_ID = "octocat/Hello-World", 1296269
HOOK_URL = "http://testserver/api/github/sync"


class FakeGitHub:
    """A repository's hooks endpoints, stateful. Its duplicate-hook check and the creation are
    separate steps with a pause between them, so unserialised concurrent connects create two."""

    def __init__(self, mock):
        self.hooks, self.deleted, self.next_id = {}, [], 100
        mock.get(api(f"/repos/{NAME}"), json=repository(NAME, GITHUB_ID))
        mock.add_callback(responses.POST, api(f"/repos/{NAME}/hooks"), callback=self.create)
        mock.add_callback(responses.GET, api(f"/repos/{NAME}/hooks"), callback=self.list)
        mock.add_callback(responses.PATCH, re.compile(re.escape(api(f"/repos/{NAME}/hooks/")) + r"\d+"),
                          callback=self.update)
        mock.add_callback(responses.DELETE, re.compile(re.escape(api(f"/repos/{NAME}/hooks/")) + r"\d+"),
                          callback=self.delete)

    def create(self, request):
        config = json.loads(request.body)["config"]
        exists = any(hook["config"]["url"] == config["url"] for hook in self.hooks.values())
        time.sleep(0.05)
        if exists:
            return 422, {}, json.dumps({"message": "Validation Failed",
                                        "errors": [{"message": "Hook already exists on this repository"}]})
        self.next_id += 1
        self.hooks[self.next_id] = {"id": self.next_id, "config": config}
        return 201, {}, json.dumps(self.hooks[self.next_id])

    def list(self, request):
        return 200, {}, json.dumps(list(self.hooks.values()))

    def update(self, request):
        hook = self.hooks[int(request.url.rsplit("/", 1)[1])]
        hook["config"] = json.loads(request.body)["config"]
        return 200, {}, json.dumps(hook)

    def delete(self, request):
        hook_id = int(request.url.rsplit("/", 1)[1])
        if self.hooks.pop(hook_id, None) is None:
            return 404, {}, json.dumps({"message": "Not Found"})
        self.deleted.append(hook_id)
        return 204, {}, ""


def together(*actions):
    """Run each action in its own thread, all released at once; re-raise the first failure."""
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        barrier.wait()
        try:
            action()
        except Exception as error:  # noqa: BLE001 - re-raised below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]


def users(count):
    return [make_account(email=f"member{n}@example.com", github_token=GITHUB_TOKEN).record for n in range(count)]


def test_two_users_connecting_one_repository_at_once_leave_one_hook_and_one_secret(redis_db):
    alice, bob = users(2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        github = FakeGitHub(mock)

        together(lambda: repo_connect(user_id=alice.id, name=NAME), lambda: repo_connect(user_id=bob.id, name=NAME))

    assert len(github.hooks) == 1
    (hook,) = github.hooks.values()
    assert RepoHookSecret.objects.filter(github_repo_id=GITHUB_ID).count() == 1
    assert hook["config"]["secret"] == HookSecret(GITHUB_ID).get()
    assert Repo.user_ids_for(NAME) == sorted([alice.id, bob.id])
    assert {Repo.get(user.id, NAME).webhookId for user in (alice, bob)} == {hook["id"]}
    assert redis_db.keys("lock:repo-connect:*") == []


def test_concurrent_last_disconnects_delete_the_hook_and_the_secret_once(redis_db):
    alice, bob = users(2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        github = FakeGitHub(mock)
        repo_connect(user_id=alice.id, name=NAME)
        repo_connect(user_id=bob.id, name=NAME)

        together(lambda: repo_disconnect(user_id=alice.id, name=NAME),
                 lambda: repo_disconnect(user_id=bob.id, name=NAME))

    assert len(github.deleted) == 1
    assert github.hooks == {}
    assert not RepoHookSecret.objects.exists()
    assert Repo.user_ids_for(NAME) == []
    assert not redis_db.exists(f"idx:github-repo:{GITHUB_ID}")


def test_a_connect_racing_the_last_disconnect_keeps_a_working_hook(redis_db):
    alice, bob = users(2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        github = FakeGitHub(mock)
        repo_connect(user_id=alice.id, name=NAME)

        together(lambda: repo_disconnect(user_id=alice.id, name=NAME), lambda: repo_connect(user_id=bob.id, name=NAME))

    assert Repo.user_ids_for(NAME) == [bob.id]
    (hook,) = github.hooks.values()
    assert hook["config"]["secret"] == HookSecret(GITHUB_ID).get()
    assert Repo.get(bob.id, NAME).webhookId == hook["id"]
    assert redis_db.get(f"idx:github-repo:{GITHUB_ID}") == NAME


def test_one_users_concurrent_disconnects_answer_404_to_the_loser(redis_db):
    from changelog_site.domain import NotFound

    (alice,) = users(1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        github = FakeGitHub(mock)
        repo_connect(user_id=alice.id, name=NAME)

        with pytest.raises(NotFound):
            together(lambda: repo_disconnect(user_id=alice.id, name=NAME),
                     lambda: repo_disconnect(user_id=alice.id, name=NAME))

    assert len(github.deleted) == 1
    assert not RepoHookSecret.objects.exists()


def test_it_answers_409_when_the_repository_stays_locked(redis_db, monkeypatch):
    from changelog_site.domain import Conflict

    (alice,) = users(1)
    monkeypatch.setattr("repos.services.REPO_LOCK_WAIT_SECONDS", 0.2)
    redis_db.set(f"lock:repo-connect:{GITHUB_ID}", "someone else's token", ex=60)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        github = FakeGitHub(mock)

        with pytest.raises(Conflict) as refused:
            repo_connect(user_id=alice.id, name=NAME)

    assert refused.value.code == "connect_in_progress"
    assert github.hooks == {}
    assert not RepoHookSecret.objects.exists()
    assert redis_db.get(f"lock:repo-connect:{GITHUB_ID}") == "someone else's token"
