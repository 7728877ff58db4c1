"""Which secret vouches for which delivery, with real signatures and
GitHub's real payloads, through the real view."""

import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError

from changelog_site import crypto
from github_sync.models import WebhookDelivery
from repos.hook_secrets import HookSecret, hook_secrets_import_from_redis
from repos.models import RepoHookSecret
from tests.accounts_helpers import data_snapshot
from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, deliver, fixture_bytes, redis_down

pytestmark = pytest.mark.django_db

MERGED = "pull_request.closed.merged"
VICTIM_REPO, VICTIM_ID = "sish8075/statistics-source", 436929436  # pull_request.closed.merged.json
RENAMED_ID, RENAMED_OLD = 186853261, "Octocoders/Old-World"  # repository.renamed.json
ATTACKER_REPO, ATTACKER_ID = "mallory/own-repo", 999001
ATTACKER_SECRET = "the attacker's own hook secret"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def hook_headers(github_repo_id):
    return {"HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_TYPE": "repository",
            "HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_ID": str(github_repo_id)}


def two_tenants():
    """A victim who connected the repository of the payloads, and an attacker with a repository
    (and so a hook secret) of their own."""
    victim, attacker = make_user(), make_user()
    make_repo(victim, name=VICTIM_REPO, githubRepoId=VICTIM_ID)
    make_repo(victim, name=RENAMED_OLD, githubRepoId=RENAMED_ID)
    make_repo(attacker, name=ATTACKER_REPO, githubRepoId=ATTACKER_ID)
    HookSecret(ATTACKER_ID).set(ATTACKER_SECRET)
    HookSecret(VICTIM_ID).set("the victim's hook secret")
    return victim, attacker


def snapshot(redis_db):
    return data_snapshot(redis_db)


@pytest.mark.parametrize("event, fixture", [("pull_request", MERGED), ("repository", "repository.renamed")])
@pytest.mark.parametrize("headers", ["attacker-hook", "no-hook-headers"])
def test_a_repositorys_secret_never_vouches_for_another_repositorys_payload(client, redis_db, event, fixture,
                                                                           headers):
    two_tenants()
    before = snapshot(redis_db)

    response = deliver(client, event, fixture_bytes(fixture), secret=ATTACKER_SECRET,
                       headers=hook_headers(ATTACKER_ID) if headers == "attacker-hook" else {})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert snapshot(redis_db) == before  # no draft, no rename, no delivery marker
    assert not WebhookDelivery.objects.exists()


def test_hook_headers_naming_another_repository_than_the_payload_are_refused(client, redis_db):
    two_tenants()
    before = snapshot(redis_db)

    response = deliver(client, "pull_request", fixture_bytes(MERGED), secret="the victim's hook secret",
                       headers=hook_headers(ATTACKER_ID))

    assert response.status_code == 401
    assert snapshot(redis_db) == before


def test_a_forged_delivery_about_another_repository_is_refused_while_redis_is_down(client, redis_db):
    two_tenants()
    before = snapshot(redis_db)

    with redis_down():
        response = deliver(client, "pull_request", fixture_bytes(MERGED), secret=ATTACKER_SECRET,
                           headers=hook_headers(ATTACKER_ID))

    assert response.status_code == 401
    assert not WebhookDelivery.objects.exists()
    assert snapshot(redis_db) == before


@pytest.mark.parametrize("headers", ["own-hook", "no-hook-headers"])
def test_a_repositorys_own_secret_vouches_for_its_own_payload(client, redis_db, headers):
    victim, _ = two_tenants()

    response = deliver(client, "pull_request", fixture_bytes(MERGED), secret="the victim's hook secret",
                       headers=hook_headers(VICTIM_ID) if headers == "own-hook" else {})

    assert response.status_code == 200
    assert redis_db.exists(f"entry:{victim.id}:{VICTIM_REPO}:17")


def test_the_operators_global_secret_vouches_for_any_repository(client, redis_db):
    victim, _ = two_tenants()

    response = deliver(client, "pull_request", fixture_bytes(MERGED), secret=SECRET)

    assert response.status_code == 200
    assert redis_db.exists(f"entry:{victim.id}:{VICTIM_REPO}:17")


def test_it_answers_503_when_the_secrets_cannot_be_read(client, redis_db):
    two_tenants()

    with mock.patch.object(RepoHookSecret.objects, "filter", side_effect=OperationalError("down")):
        response = deliver(client, "pull_request", fixture_bytes(MERGED), secret="the victim's hook secret",
                           headers=hook_headers(VICTIM_ID))

    assert response.status_code == 503
    assert response["Retry-After"]


def test_the_secret_is_stored_encrypted_in_sql(redis_db):
    HookSecret(VICTIM_ID).set("plain secret")

    stored = RepoHookSecret.objects.get(github_repo_id=VICTIM_ID).encrypted_secret

    assert "plain secret" not in stored
    assert crypto.decrypt(stored) == "plain secret"
    assert redis_db.keys("*") == []


def test_a_secret_left_in_redis_by_an_earlier_version_is_carried_to_sql_on_first_use(client, redis_db):
    victim, _ = two_tenants()
    RepoHookSecret.objects.filter(github_repo_id=VICTIM_ID).delete()
    redis_db.set(f"idx:hook-secret:{VICTIM_ID}", crypto.encrypt("legacy secret"))

    response = deliver(client, "pull_request", fixture_bytes(MERGED), secret="legacy secret",
                       headers=hook_headers(VICTIM_ID))

    assert response.status_code == 200
    assert crypto.decrypt(RepoHookSecret.objects.get(github_repo_id=VICTIM_ID).encrypted_secret) == "legacy secret"
    assert not redis_db.exists(f"idx:hook-secret:{VICTIM_ID}")


def test_the_import_carries_every_redis_secret_to_sql_and_sql_wins(redis_db):
    scan = lambda match: redis_db.scan_iter(match=match)  # noqa: E731 (what the commands pass)
    HookSecret(1).set("already in sql")
    redis_db.set("idx:hook-secret:1", crypto.encrypt("stale copy"))
    redis_db.set("idx:hook-secret:2", crypto.encrypt("encrypted"))
    redis_db.set("idx:hook-secret:3", "legacy plaintext")

    assert hook_secrets_import_from_redis(scan) == 3

    assert [HookSecret(n).get() for n in (1, 2, 3)] == ["already in sql", "encrypted", "legacy plaintext"]
    assert crypto.is_encrypted(RepoHookSecret.objects.get(github_repo_id=3).encrypted_secret)
    assert redis_db.keys("idx:hook-secret:*") == []
    assert hook_secrets_import_from_redis(scan) == 0


def test_a_delivery_naming_no_repository_needs_the_global_secret(client, redis_db):
    two_tenants()
    body = json.dumps({"action": "created", "installation": {"id": 1}}).encode()

    response = deliver(client, "installation", body, secret=ATTACKER_SECRET, headers=hook_headers(ATTACKER_ID))

    assert response.status_code == 401


def test_it_carries_redis_hook_secrets_to_sql_during_kv_reindex(redis_db):
    redis_db.set("idx:hook-secret:42", crypto.encrypt("from an older version"))

    call_command("kv_reindex", stdout=io.StringIO())

    assert HookSecret(42).get() == "from an older version"
    assert not redis_db.exists("idx:hook-secret:42")
