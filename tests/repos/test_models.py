import json

import pytest
from cryptography.fernet import Fernet

from changelog_site import crypto
from changelog_site.kv.records import ValidationError
from repos.models import GitHubToken, Repo
from tests.factories import make_repo, make_user


def test_it_stores_a_repo_and_its_user_mapping(redis_db):
    user = make_user()
    repo = make_repo(user, name="Codertocat/Hello-World", githubRepoId=186853002)

    raw = json.loads(redis_db.get(f"repo:{user.id}:Codertocat/Hello-World"))

    assert raw == {"id": "Codertocat/Hello-World", "userId": user.id, "githubRepoId": 186853002,
                   "name": "Codertocat/Hello-World", "slug": "codertocat-hello-world", "isPrivate": False,
                   "connectedAt": "2026-03-09T12:00:00Z", "webhookId": 12345678}
    assert redis_db.get(f"repo:Codertocat/Hello-World:users:{user.id}") == user.id
    assert Repo.get(user.id, "Codertocat/Hello-World") == repo


def test_it_lists_a_users_repos_and_a_repos_users_from_indexes(redis_db):
    alice, bob = make_user(), make_user()
    make_repo(alice, name="acme/api")
    make_repo(alice, name="acme/web")
    make_repo(bob, name="acme/api")

    assert [repo.name for repo in Repo.for_user(alice.id)] == ["acme/api", "acme/web"]
    assert Repo.user_ids_for("acme/api") == sorted([alice.id, bob.id])


def test_it_removes_the_mapping_and_indexes_on_delete(redis_db):
    alice, bob = make_user(), make_user()
    repo = make_repo(alice, name="acme/api")
    make_repo(bob, name="acme/api")

    repo.delete()

    assert redis_db.exists(f"repo:{alice.id}:acme/api", f"repo:acme/api:users:{alice.id}") == 0
    assert Repo.for_user(alice.id) == []
    assert Repo.user_ids_for("acme/api") == [bob.id]


def test_it_maps_githubs_numeric_id_to_the_name(redis_db):
    make_repo(make_user(), name="acme/api", githubRepoId=42)

    assert Repo.name_for_github_id(42) == "acme/api"


def test_it_finds_who_connected_a_repository_by_githubs_id_in_one_round_trip(redis_db, redis_writes):
    user = make_user()
    make_repo(user, name="acme/api", githubRepoId=42)
    redis_writes.clear()

    found = Repo.connected_by_github_id(42, "acme/api")

    assert found == ("acme/api", [user.id])
    assert len(redis_writes) == 1


def test_it_finds_a_repository_renamed_on_github_under_the_name_it_is_stored_under(redis_db):
    user = make_user()
    make_repo(user, name="acme/api", githubRepoId=42)

    assert Repo.connected_by_github_id(42, "acme/api-renamed") == ("acme/api", [user.id])
    assert Repo.connected_by_github_id(43, "acme/unknown") == ("acme/unknown", [])


@pytest.mark.parametrize("field, value", [("name", "not-a-repo"), ("githubRepoId", "42"), ("isPrivate", "no"),
                                          ("webhookId", 1.5)])
def test_it_rejects_invalid_repo_fields(redis_db, field, value):
    repo = Repo(userId="user_a", name="acme/api", githubRepoId=1)
    setattr(repo, field, value)

    with pytest.raises(ValidationError):
        repo.save()

    assert redis_db.dbsize() == 0


def test_it_stores_the_github_token_only_encrypted(redis_db):
    GitHubToken("user_a").set("gho_16C7e42F292c6912E7710c838347Ae178B4a")

    stored = redis_db.get("user:user_a:github_token")

    assert "gho_" not in stored
    assert crypto.decrypt(stored) == "gho_16C7e42F292c6912E7710c838347Ae178B4a"
    assert GitHubToken("user_a").get() == "gho_16C7e42F292c6912E7710c838347Ae178B4a"


def test_it_reencrypts_tokens_under_the_newest_key(redis_db, settings):
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    GitHubToken("user_a").set("gho_secret")
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]

    assert GitHubToken("user_a").reencrypt() is True

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert GitHubToken("user_a").get() == "gho_secret"


def test_it_encrypts_a_legacy_plaintext_token_on_reencrypt(redis_db):
    redis_db.set("user:user_a:github_token", "gho_plaintext")

    GitHubToken("user_a").reencrypt()

    assert redis_db.get("user:user_a:github_token") != "gho_plaintext"
    assert GitHubToken("user_a").get() == "gho_plaintext"
