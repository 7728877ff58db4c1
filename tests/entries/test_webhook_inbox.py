"""Nothing is lost while Redis is unreachable: the SQL inbox."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from github_sync.models import WebhookDelivery
from github_sync.services.inbox import inbox_drain, inbox_prune
from repos.hook_secrets import HookSecret
from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, deliver, fixture_bytes, fixture_json, redis_down, sign

pytestmark = pytest.mark.django_db

MERGED = "pull_request.closed.merged"
REPO, REPO_ID = "sish8075/statistics-source", 436929436


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def connected_user():
    user = make_user()
    make_repo(user, name=REPO, githubRepoId=REPO_ID)
    return user


def test_it_keeps_a_delivery_in_the_inbox_while_redis_is_down_and_drains_it_later(client, redis_db):
    user = connected_user()

    with redis_down():
        response = deliver(client, "pull_request", fixture_bytes(MERGED), delivery="inbox-1")

    assert response.status_code == 202
    assert response.json() == {"status": "queued"}
    assert redis_db.get(f"entry:{user.id}:{REPO}:17") is None
    assert not redis_db.exists("lock:github-delivery:inbox-1")  # seen only once processed
    row = WebhookDelivery.objects.get()
    assert (row.delivery_id, row.event, row.state, row.verified) == ("inbox-1", "pull_request", "pending", True)
    assert bytes(row.body) == fixture_bytes(MERGED)

    assert inbox_drain() == {"processed": 1, "failed": 0, "rejected": 0, "left": 0}

    entry = json.loads(redis_db.get(f"entry:{user.id}:{REPO}:17"))
    assert (entry["title"], entry["status"]) == ("feature/catalog-info", "draft")
    assert redis_db.exists("lock:github-delivery:inbox-1")
    assert WebhookDelivery.objects.get().state == "processed"


def test_a_redelivery_while_queued_is_kept_once(client, redis_db):
    connected_user()
    with redis_down():
        deliver(client, "pull_request", fixture_bytes(MERGED), delivery="inbox-2")
        response = deliver(client, "pull_request", fixture_bytes(MERGED), delivery="inbox-2")

    assert response.status_code == 202
    assert WebhookDelivery.objects.count() == 1


def test_it_processes_the_inbox_in_order_and_queues_newcomers_behind_it(client, redis_db):
    user = connected_user()
    merged = fixture_json(MERGED)
    edited = json.loads(json.dumps(merged))
    edited["action"] = "edited"
    edited["pull_request"].update(title="fix: catalog info", updated_at="2022-10-12T08:40:00Z")
    with redis_down():
        deliver(client, "pull_request", merged, delivery="order-1")

    # Redis is back, but an older delivery still waits: this one queues behind it, and the drain
    # it kicks (eager Celery in tests) processes both, oldest first.
    response = deliver(client, "pull_request", edited, delivery="order-2")

    assert response.status_code == 202
    assert [r.state for r in WebhookDelivery.objects.order_by("id")] == ["processed", "processed"]
    entry = json.loads(redis_db.get(f"entry:{user.id}:{REPO}:17"))
    assert (entry["title"], entry["category"]) == ("fix: catalog info", "Fixed")


def test_the_drain_stops_at_the_first_redis_failure_and_keeps_the_rest(client, redis_db):
    connected_user()
    with redis_down():
        deliver(client, "pull_request", fixture_bytes(MERGED), delivery="stop-1")
        assert inbox_drain() == {"redis": "unreachable"}

    assert WebhookDelivery.objects.get().state == "pending"


def test_the_management_command_drains_the_inbox(client, redis_db, capsys):
    user = connected_user()
    with redis_down():
        deliver(client, "pull_request", fixture_bytes(MERGED), delivery="cmd-1")

    call_command("drain_webhook_inbox")

    assert "processed: 1" in capsys.readouterr().out
    assert redis_db.exists(f"entry:{user.id}:{REPO}:17")


HOOK_HEADERS = {"HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_TYPE": "repository",
                "HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_ID": str(REPO_ID)}


def test_a_delivery_signed_with_the_repositorys_own_secret_is_verified_and_queued_while_redis_is_down(
        client, redis_db):
    user = connected_user()
    HookSecret(REPO_ID).set("repo-secret")

    with redis_down():
        response = deliver(client, "pull_request", fixture_bytes(MERGED), secret="repo-secret", headers=HOOK_HEADERS)

    assert response.status_code == 202
    assert WebhookDelivery.objects.get().verified is True
    assert inbox_drain() == {"processed": 1, "failed": 0, "rejected": 0, "left": 0}
    assert redis_db.exists(f"entry:{user.id}:{REPO}:17")


@pytest.mark.parametrize("headers", [HOOK_HEADERS, {}], ids=["hook-headers", "no-hook-headers"])
@pytest.mark.parametrize("signature", ["forged", "unsigned"])
def test_a_forged_delivery_is_refused_while_redis_is_down_and_nothing_is_stored(client, redis_db, headers,
                                                                               signature):
    connected_user()
    HookSecret(REPO_ID).set("repo-secret")
    before = {key: redis_db.dump(key) for key in redis_db.keys("*")}
    body = fixture_bytes(MERGED)

    with redis_down():
        response = deliver(client, "pull_request", body, headers=headers,
                           signature=sign(body, "forged") if signature == "forged" else "")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookDelivery.objects.exists()
    assert {key: redis_db.dump(key) for key in redis_db.keys("*")} == before


def test_a_row_stored_unverified_before_secrets_moved_to_sql_is_checked_by_the_drain(client, redis_db):
    user = connected_user()
    HookSecret(REPO_ID).set("repo-secret")
    body = fixture_bytes(MERGED)
    for delivery, secret in (("legacy-good", "repo-secret"), ("legacy-forged", "forged")):
        WebhookDelivery.objects.create(delivery_id=delivery, event="pull_request", body=body, verified=False,
                                       signature=sign(body, secret), hook_target_id=str(REPO_ID))

    assert inbox_drain() == {"processed": 1, "failed": 0, "rejected": 1, "left": 0}
    assert redis_db.exists(f"entry:{user.id}:{REPO}:17")
    assert WebhookDelivery.objects.get(delivery_id="legacy-forged").state == "rejected"


def test_it_answers_503_with_retry_after_past_the_inbox_row_cap(client, redis_db, settings):
    connected_user()
    settings.GITHUB_INBOX_MAX_ROWS = 2

    with redis_down():
        replies = [deliver(client, "pull_request", fixture_bytes(MERGED), delivery=f"cap-{n}") for n in range(3)]

    assert [reply.status_code for reply in replies] == [202, 202, 503]
    assert replies[2].json()["code"] == "inbox_full"
    assert replies[2]["Retry-After"]
    assert WebhookDelivery.objects.count() == 2


def test_it_answers_503_past_the_inbox_byte_cap(client, redis_db, settings):
    connected_user()
    body = fixture_bytes(MERGED)
    settings.GITHUB_INBOX_MAX_BYTES = len(body) * 3 // 2

    with redis_down():
        first = deliver(client, "pull_request", body, delivery="bytes-1")
        second = deliver(client, "pull_request", body, delivery="bytes-2")

    assert (first.status_code, second.status_code) == (202, 503)
    assert WebhookDelivery.objects.get().body_size == len(body)


def test_drained_rows_no_longer_count_towards_the_cap(client, redis_db, settings):
    connected_user()
    settings.GITHUB_INBOX_MAX_ROWS = 1
    with redis_down():
        deliver(client, "pull_request", fixture_bytes(MERGED), delivery="drained-1")
    inbox_drain()

    with redis_down():
        response = deliver(client, "pull_request", fixture_bytes(MERGED), delivery="drained-2")

    assert response.status_code == 202


def stored(delivery_id, state, age_days):
    at = timezone.now() - timedelta(days=age_days)
    row = WebhookDelivery.objects.create(delivery_id=delivery_id, event="pull_request", body=b"{}", state=state)
    WebhookDelivery.objects.filter(pk=row.pk).update(received_at=at, processed_at=None if state == "pending" else at)


def test_it_prunes_failed_and_rejected_rows_after_the_retention(settings):
    settings.GITHUB_INBOX_RETENTION_DAYS = 30
    for state in ("failed", "rejected", "processed", "pending"):
        stored(f"old-{state}", state, age_days=31)
        stored(f"new-{state}", state, age_days=1)

    assert inbox_prune() == {"processed": 1, "failedOrRejected": 2}

    assert sorted(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == [
        "new-failed", "new-pending", "new-processed", "new-rejected", "old-pending"]


def test_the_drain_command_prunes_too(settings, capsys):
    settings.GITHUB_INBOX_RETENTION_DAYS = 7
    stored("old-failed", "failed", age_days=8)

    call_command("drain_webhook_inbox")

    assert "1 failed or rejected" in capsys.readouterr().out
    assert not WebhookDelivery.objects.exists()


def test_it_answers_503_with_retry_after_when_sql_is_down_too(client, redis_db):
    connected_user()
    with redis_down(), mock.patch.object(WebhookDelivery.objects, "create", side_effect=OperationalError("down")):
        response = deliver(client, "pull_request", fixture_bytes(MERGED))

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert response["Retry-After"]


def test_the_drain_runs_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["github-inbox-drain"]["task"] == "github_sync.inbox_drain"


def test_the_prune_runs_on_the_beat_schedule(settings):
    from github_sync.tasks import inbox_prune_task

    stored("old-rejected", "rejected", age_days=settings.GITHUB_INBOX_RETENTION_DAYS + 1)

    assert settings.CELERY_BEAT_SCHEDULE["github-inbox-prune"]["task"] == inbox_prune_task.name
    assert inbox_prune_task.delay().get() == {"processed": 0, "failedOrRejected": 1}
