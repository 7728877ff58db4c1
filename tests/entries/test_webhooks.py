"""POST /api/github/sync: merged PRs become drafts, through the real view and real Redis."""

import pytest

from github_sync.services.signatures import signature_matches
from tests.accounts_helpers import data_snapshot
from tests.conftest import load_fixture
from tests.entries.webhook_draft_helpers import (MERGED, MERGED_REPO, MERGED_REPO_ID, connect, raw_entry,
                                                webhook_secret)  # noqa: F401 (webhook_secret: autouse)
from tests.factories import make_repo, make_user
from tests.webhook_helpers import deliver, fixture_bytes, fixture_json, sign

pytestmark = pytest.mark.django_db


def test_it_signs_exactly_like_githubs_known_answer():
    vector = load_fixture("github/webhook-signature.json")

    assert sign(vector["payload"].encode(), vector["secret"]) == vector["header_value"]
    assert signature_matches(vector["secret"], vector["payload"].encode(), vector["header_value"])
    assert not signature_matches(vector["secret"], b"Hello, World?", vector["header_value"])


def test_it_turns_a_merged_pr_into_a_draft_with_the_documents_fields(client, redis_db):
    user = connect()

    response = deliver(client, "pull_request", fixture_bytes(MERGED))

    assert response.status_code == 200
    assert response.json() == {"status": "processed", "entries": {"created": 1}}
    stored = raw_entry(redis_db, user)
    assert stored == {"id": stored["id"], "userId": user.id, "repoId": MERGED_REPO, "prId": 17,
                      "title": "feature/catalog-info", "body": "Fixing the catalog info file.",
                      "category": "Other", "status": "draft", "mergedAt": "2022-10-12T08:33:55Z",
                      "prUrl": "https://github.com/sish8075/statistics-source/pull/17", "author": "sish8075",
                      "aiRewrite": None, "labels": []}
    assert stored["id"].startswith("ent_") and ":" not in stored["id"]
    assert redis_db.zrange(f"idx:entries:{user.id}:draft", 0, -1) == [stored["id"]]
    assert redis_db.zrange(f"idx:entries:{user.id}:{MERGED_REPO}:draft", 0, -1) == [stored["id"]]
    assert redis_db.get(f"idx:entry:{stored['id']}") == f"entry:{user.id}:{MERGED_REPO}:17"


def test_it_writes_an_empty_body_for_a_null_pr_body(client, redis_db):
    user = connect()
    payload = fixture_json(MERGED)
    payload["pull_request"]["body"] = None

    deliver(client, "pull_request", payload)

    assert raw_entry(redis_db, user)["body"] == ""


# Every real fixture, with its repository connected: the status, and whether anything was written.
EXPECTED = {
    "installation.created": (200, False), "installation.deleted": (200, False),
    "installation_repositories.added": (200, False), "installation_repositories.removed": (200, False),
    "issues.closed": (200, True), "issues.deleted": (200, True), "issues.edited": (200, True),
    "issues.milestoned": (202, False), "issues.opened": (200, True), "issues.unlabeled": (200, True),
    "ping": (200, False), "ping.organization": (200, False),
    "pull_request.closed.merged": (200, True), "pull_request.closed.not-merged": (202, False),
    "pull_request.edited": (202, False), "pull_request.labeled": (202, False),
    "pull_request.opened": (202, False), "pull_request.reopened": (202, False),
    "pull_request.unlabeled": (202, False), "release.published": (200, True),
    "repository.deleted": (200, True), "repository.renamed": (202, True),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_answers_every_real_fixture(client, redis_db, name):
    payload = fixture_json(name)
    repository = payload.get("repository") or {}
    user = make_user()
    if repository.get("full_name"):
        make_repo(user, name=repository["full_name"], githubRepoId=repository["id"])
    before = data_snapshot(redis_db)

    response = deliver(client, name.split(".")[0], fixture_bytes(name))

    status, writes = EXPECTED[name]
    assert response.status_code == status, response.content
    after = {key: redis_db.dump(key) for key in redis_db.keys("*")}
    assert (after != before) is writes


def test_it_acknowledges_a_redelivery_without_changing_anything(client, redis_db):
    user = connect()
    body = fixture_bytes(MERGED)
    first = deliver(client, "pull_request", body, delivery="d1b2c3d4-0000-11ed-8000-000000000001")
    snapshot = {key: redis_db.dump(key) for key in redis_db.keys("*")}

    second = deliver(client, "pull_request", body, delivery="d1b2c3d4-0000-11ed-8000-000000000001")
    third = deliver(client, "pull_request", body, delivery="d1b2c3d4-0000-11ed-8000-000000000001")

    assert first.status_code == 200 and second.status_code == third.status_code == 200
    assert second.json() == {"status": "duplicate"}
    assert {key: redis_db.dump(key) for key in redis_db.keys("*")} == snapshot
    assert len(redis_db.keys(f"entry:{user.id}:*")) == 1
    assert redis_db.ttl("lock:github-delivery:d1b2c3d4-0000-11ed-8000-000000000001") > 0


def test_it_gives_each_user_who_connected_the_repo_a_draft(client, redis_db):
    alice, bob = connect(), connect()

    deliver(client, "pull_request", fixture_bytes(MERGED))

    first, second = raw_entry(redis_db, alice), raw_entry(redis_db, bob)
    assert first["userId"] == alice.id and second["userId"] == bob.id
    assert first["id"] != second["id"]
    assert {k: v for k, v in first.items() if k not in ("id", "userId")} == \
        {k: v for k, v in second.items() if k not in ("id", "userId")}


def test_it_writes_nothing_for_a_repo_no_one_connected(client, redis_db):
    connect(name="someone/else", github_id=1)
    before = sorted(redis_db.keys("*"))

    response = deliver(client, "pull_request", fixture_bytes(MERGED))

    assert response.status_code == 202
    assert response.json() == {"status": "ignored", "reason": "not_connected"}
    assert sorted(redis_db.keys("*")) == before


def test_it_finds_a_renamed_repo_by_githubs_id(client, redis_db):
    user = connect(name="sish8075/old-name")

    deliver(client, "pull_request", fixture_bytes(MERGED))

    assert raw_entry(redis_db, user, repo="sish8075/old-name")["prId"] == 17


@pytest.mark.parametrize("case", ["no signature", "bad signature", "other secret", "truncated body",
                                  "wrong content type", "oversized body", "not an object", "no event"])
def test_it_rejects_bad_deliveries_and_writes_nothing(client, redis_db, case):
    connect()
    body = fixture_bytes(MERGED)
    before = data_snapshot(redis_db)
    expected = {"no signature": (401, "invalid_signature"), "bad signature": (401, "invalid_signature"),
                "other secret": (401, "invalid_signature"), "truncated body": (400, "invalid_payload"),
                "wrong content type": (415, "unsupported_media_type"), "oversized body": (413, "payload_too_large"),
                "not an object": (400, "invalid_payload"), "no event": (400, "missing_event")}[case]

    if case == "no signature":
        response = deliver(client, "pull_request", body, signature="")
    elif case == "bad signature":
        response = deliver(client, "pull_request", body, signature="sha256=" + "0" * 64)
    elif case == "other secret":
        response = deliver(client, "pull_request", body, secret="not the secret")
    elif case == "truncated body":
        response = deliver(client, "pull_request", body[: len(body) // 2])  # signed as sent, but cut short
    elif case == "wrong content type":
        response = deliver(client, "pull_request", body, content_type="text/plain")
    elif case == "oversized body":
        response = deliver(client, "pull_request", b" " * (25 * 1024 * 1024 + 1))
    elif case == "not an object":
        response = deliver(client, "pull_request", b"[1, 2, 3]")
    else:
        response = deliver(client, "", body)

    assert (response.status_code, response.json()["code"]) == expected
    assert set(response.json()) >= {"code", "detail"}
    assert data_snapshot(redis_db) == before


def test_it_answers_400_when_the_pr_lacks_what_the_event_needs(client, redis_db):
    connect()
    payload = fixture_json(MERGED)
    del payload["pull_request"]["html_url"]

    response = deliver(client, "pull_request", payload)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert redis_db.keys("entry:*") == []


def test_it_accepts_the_form_encoded_hook_format(client, redis_db):
    from urllib.parse import quote

    user = connect()
    body = b"payload=" + quote(fixture_bytes(MERGED).decode()).encode()

    response = deliver(client, "pull_request", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert raw_entry(redis_db, user)["prId"] == 17


def test_it_accepts_the_repositorys_own_hook_secret(client, redis_db):
    from repos.hook_secrets import HookSecret

    user = connect()
    HookSecret(MERGED_REPO_ID).set("repo-own-secret")

    response = deliver(client, "pull_request", fixture_bytes(MERGED), secret="repo-own-secret",
                       headers={"HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_TYPE": "repository",
                                "HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_ID": str(MERGED_REPO_ID)})

    assert response.status_code == 200
    assert raw_entry(redis_db, user) is not None


def test_it_answers_pong_to_a_ping(client):
    response = deliver(client, "ping", fixture_bytes("ping"))

    assert response.status_code == 200
    assert response.json()["status"] == "pong"


def test_it_is_csrf_exempt_and_post_only(redis_db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert deliver(strict, "ping", fixture_bytes("ping")).status_code == 200
    response = strict.get("/api/github/sync")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


# --- categories, skip rules, release notes, reverts ---------------------------------------------
