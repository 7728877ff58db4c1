import json

import pytest
import requests
import responses

from changelog_site import crypto
from repos.hook_secrets import HookSecret
from repos.models import Repo, RepoHookSecret
from tests.accounts_helpers import api, bearer, fake_repository, keyspace
from tests.factories import GITHUB_TOKEN, make_account

pytestmark = pytest.mark.django_db

NAME = "octocat/Hello-World"


def connect(client, user, body=None, **extra):
    return client.post("/api/repos/", json.dumps(body if body is not None else {"name": NAME}),
                       content_type="application/json", **bearer(user), **extra)


def test_it_writes_exactly_the_documents_keys_on_connect(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    before = keyspace(redis_db)
    with responses.RequestsMock() as mock:
        fake_repository(mock, hook_id=4242)

        response = connect(client, django_user)

    assert response.status_code == 201
    assert keyspace(redis_db) - before == {
        f"repo:{record.id}:{NAME}", f"repo:{NAME}:users:{record.id}", f"idx:user-repos:{record.id}",
        f"idx:repo-users:{NAME}", "idx:github-repo:1296269", f"idx:user-related-repos:{record.id}"}
    stored = json.loads(redis_db.get(f"repo:{record.id}:{NAME}"))
    assert stored == {"id": NAME, "userId": record.id, "githubRepoId": 1296269, "name": NAME,
                      "slug": "octocat-hello-world", "isPrivate": False, "connectedAt": stored["connectedAt"],
                      "webhookId": 4242}
    assert response.json() == stored
    assert redis_db.get(f"repo:{NAME}:users:{record.id}") == record.id


def test_it_creates_the_webhook_with_the_events_and_a_secret_stored_encrypted(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        hook = fake_repository(mock)

        connect(client, django_user)

        sent = json.loads(hook.calls[0].request.body)
    assert sent["events"] == ["pull_request", "issues", "release", "repository"]
    assert sent["config"]["url"] == "http://testserver/api/github/sync"
    assert sent["config"]["content_type"] == "json"
    secret = sent["config"]["secret"]
    assert len(secret) >= 32
    assert secret not in RepoHookSecret.objects.get(github_repo_id=1296269).encrypted_secret
    assert HookSecret(1296269).get() == secret


def test_it_reuses_a_hook_that_already_exists(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        mock.get(api(f"/repos/{NAME}"), json={"id": 1296269, "full_name": NAME, "private": False,
                                              "permissions": {"admin": True}})
        mock.post(api(f"/repos/{NAME}/hooks"), status=422, json={
            "message": "Validation Failed",
            "errors": [{"resource": "Hook", "code": "custom", "message": "Hook already exists on this repository"}]})
        mock.get(api(f"/repos/{NAME}/hooks"), json=[
            {"id": 7, "config": {"url": "https://elsewhere.example/hook"}},
            {"id": 99, "config": {"url": "http://testserver/api/github/sync"}}])
        patch = mock.patch(api(f"/repos/{NAME}/hooks/99"), json={"id": 99})

        response = connect(client, django_user)

        assert json.loads(patch.calls[0].request.body)["config"]["secret"] == HookSecret(1296269).get()
    assert response.status_code == 201
    assert Repo.get(record.id, NAME).webhookId == 99


def test_it_refuses_a_duplicate_connect_and_changes_nothing(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        fake_repository(mock)
        connect(client, django_user)
    before = {key: redis_db.dump(key) for key in keyspace(redis_db)}

    with responses.RequestsMock() as mock:
        response = connect(client, django_user)

        assert len(mock.calls) == 0
    assert response.status_code == 409
    assert response.json()["code"] == "already_connected"
    assert {key: redis_db.dump(key) for key in keyspace(redis_db)} == before


@pytest.mark.parametrize("status, body, code, expected", [
    (404, {"message": "Not Found"}, "repo_not_found", 404),
    (401, {"message": "Bad credentials"}, "github_reauth_required", 403),
    (502, {"message": "Server Error"}, "github_unavailable", 503),
])
def test_it_maps_github_errors_and_leaves_redis_as_it_was(client, redis_db, status, body, code, expected):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    before = keyspace(redis_db)
    with responses.RequestsMock() as mock:
        mock.get(api(f"/repos/{NAME}"), status=status, json=body)

        response = connect(client, django_user)

    assert response.status_code == expected
    assert response.json()["code"] == code
    assert keyspace(redis_db) == before


def test_it_answers_503_with_retry_after_when_github_times_out_creating_the_hook(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    before = keyspace(redis_db)
    with responses.RequestsMock() as mock:
        mock.get(api(f"/repos/{NAME}"), json={"id": 1, "full_name": NAME, "permissions": {"admin": True}})
        mock.post(api(f"/repos/{NAME}/hooks"), body=requests.Timeout())

        response = connect(client, django_user)

    assert response.status_code == 503
    assert response["Retry-After"]
    assert keyspace(redis_db) == before
    assert not RepoHookSecret.objects.exists()


def test_it_removes_the_new_hook_when_the_redis_write_fails(client, redis_db, monkeypatch):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)

    def unwritable(self, pipe=None):
        raise RuntimeError("write failed")

    monkeypatch.setattr(Repo, "save", unwritable)
    with responses.RequestsMock() as mock:
        fake_repository(mock, hook_id=55)
        deleted = mock.delete(api(f"/repos/{NAME}/hooks/55"), status=204)

        with pytest.raises(RuntimeError):
            connect(client, django_user)

        assert len(deleted.calls) == 1
    assert redis_db.keys("repo:*") == []
    assert not RepoHookSecret.objects.exists()


def test_it_refuses_a_repository_the_user_cannot_administer(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        mock.get(api(f"/repos/{NAME}"), json={"id": 1, "full_name": NAME, "permissions": {"admin": False}})

        response = connect(client, django_user)

    assert response.status_code == 403
    assert response.json()["code"] == "repository_admin_required"


def test_it_asks_to_connect_github_first(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com")

    response = connect(client, django_user)

    assert response.status_code == 409
    assert response.json()["code"] == "github_not_connected"


@pytest.mark.parametrize("body, code", [({}, "invalid"), ({"name": "not a repo"}, "invalid"),
                                        ({"name": "a/b:c"}, "invalid")])
def test_it_rejects_bad_input(client, redis_db, body, code):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    before = keyspace(redis_db)

    response = connect(client, django_user, body)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert keyspace(redis_db) == before


def test_it_rejects_malformed_json(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)

    response = client.post("/api/repos/", "{not json", content_type="application/json", **bearer(django_user))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_it_needs_credentials(client, redis_db):
    response = client.get("/api/repos/")

    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}


def test_it_lists_connected_repositories(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        fake_repository(mock)
        connect(client, django_user)

    response = client.get("/api/repos/", **bearer(django_user))

    assert [repo["name"] for repo in response.json()] == [NAME]


def test_it_disconnects_removing_the_hook_and_exactly_the_repo_keys(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    before = keyspace(redis_db)
    with responses.RequestsMock() as mock:
        fake_repository(mock, hook_id=31)
        connect(client, django_user)
        deleted = mock.delete(api(f"/repos/{NAME}/hooks/31"), status=204)

        response = client.delete(f"/api/repos/{NAME}/", **bearer(django_user))

        assert len(deleted.calls) == 1
    assert response.status_code == 204
    assert keyspace(redis_db) - before == {f"idx:user-related-repos:{record.id}"}
    assert not RepoHookSecret.objects.exists()


def test_it_disconnects_when_the_hook_is_already_gone(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        fake_repository(mock, hook_id=31)
        connect(client, django_user)
        mock.delete(api(f"/repos/{NAME}/hooks/31"), status=404, json={"message": "Not Found"})

        response = client.delete(f"/api/repos/{NAME}/", **bearer(django_user))

    assert response.status_code == 204
    assert Repo.get(record.id, NAME) is None


def test_it_keeps_everything_when_github_fails_deleting_the_hook(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        fake_repository(mock, hook_id=31)
        connect(client, django_user)
        mock.delete(api(f"/repos/{NAME}/hooks/31"), status=500)
        before = keyspace(redis_db)

        response = client.delete(f"/api/repos/{NAME}/", **bearer(django_user))

    assert response.status_code == 503
    assert keyspace(redis_db) == before


def test_it_keeps_entries_on_disconnect_unless_asked(client, redis_db):
    from tests.factories import make_entry

    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        fake_repository(mock, hook_id=31)
        connect(client, django_user)
        mock.delete(api(f"/repos/{NAME}/hooks/31"), status=204)
        kept = make_entry(record, repo_id=NAME, pr_id=1)
        client.delete(f"/api/repos/{NAME}/", **bearer(django_user))
        assert redis_db.exists(kept.key())
        Repo(userId=record.id, name=NAME, githubRepoId=1296269, webhookId=31).save()

        client.delete(f"/api/repos/{NAME}/?deleteEntries=true", **bearer(django_user))

    assert not redis_db.exists(kept.key())


class TestTenantIsolation:
    def test_it_hides_another_users_repositories(self, client, redis_db):
        _, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
        _, bob, _ = make_account(email="bob@example.com", github_token=GITHUB_TOKEN)
        with responses.RequestsMock() as mock:
            fake_repository(mock)
            connect(client, alice)

        assert client.get("/api/repos/", **bearer(bob)).json() == []

    def test_it_answers_404_when_deleting_another_users_repository(self, client, redis_db):
        alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
        _, bob, _ = make_account(email="bob@example.com", github_token=GITHUB_TOKEN)
        with responses.RequestsMock() as mock:
            fake_repository(mock)
            connect(client, alice)
        before = {key: redis_db.dump(key) for key in keyspace(redis_db)}

        with responses.RequestsMock():
            response = client.delete(f"/api/repos/{NAME}/", **bearer(bob))

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert {key: redis_db.dump(key) for key in keyspace(redis_db)} == before

    def test_it_lets_a_team_member_connect_the_same_repository_sharing_its_hook(self, client, redis_db):
        alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
        bob_record, bob, _ = make_account(email="bob@example.com", github_token=GITHUB_TOKEN)
        with responses.RequestsMock() as mock:
            fake_repository(mock, hook_id=8)
            connect(client, alice)
            secret = HookSecret(1296269).get()
            mock.replace(responses.POST, api(f"/repos/{NAME}/hooks"), status=422, json={
                "message": "Validation Failed", "errors": [{"message": "Hook already exists on this repository"}]})
            mock.get(api(f"/repos/{NAME}/hooks"), json=[{"id": 8, "config": {"url": "http://testserver/api/github/sync"}}])
            patch = mock.patch(api(f"/repos/{NAME}/hooks/8"), json={"id": 8})

            response = connect(client, bob)

            assert json.loads(patch.calls[0].request.body)["config"]["secret"] == secret
        assert response.status_code == 201
        assert Repo.user_ids_for(NAME) == sorted([alice_record.id, bob_record.id])
        assert Repo.get(alice_record.id, NAME).userId == alice_record.id

    def test_it_keeps_the_shared_hook_while_a_team_member_is_connected(self, client, redis_db):
        alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
        bob_record, bob, _ = make_account(email="bob@example.com", github_token=GITHUB_TOKEN)
        Repo(userId=alice_record.id, name=NAME, githubRepoId=1296269, webhookId=8).save()
        Repo(userId=bob_record.id, name=NAME, githubRepoId=1296269, webhookId=8).save()
        HookSecret(1296269).set("shared")

        with responses.RequestsMock():
            response = client.delete(f"/api/repos/{NAME}/", **bearer(alice))

        assert response.status_code == 204
        assert HookSecret(1296269).get() == "shared"
        assert Repo.user_ids_for(NAME) == [bob_record.id]


def test_the_hook_secret_is_a_fernet_token(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    with responses.RequestsMock() as mock:
        fake_repository(mock)
        connect(client, django_user)

    assert crypto.is_encrypted(RepoHookSecret.objects.get(github_repo_id=1296269).encrypted_secret)
