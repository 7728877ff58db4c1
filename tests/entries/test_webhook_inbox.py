"""Nothing is lost while Redis is unreachable: the SQL inbox (issue 5)."""

import json
from unittest import mock

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from django.core.management import call_command
from django.db import OperationalError

from changelog_site.kv import client as kv
from github_sync.models import WebhookDelivery
from github_sync.services import inbox_drain
from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, deliver, fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db

MERGED = "pull_request.closed.merged"
REPO, REPO_ID = "sish8075/statistics-source", 436929436


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def redis_down():
    """A client whose every command fails with the connection error an unreachable server gives."""
    return kv.use_client(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, decode_responses=True,
                                     retry=Retry(NoBackoff(), 0)))


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


def test_a_repository_secret_is_checked_when_the_drain_runs(client, redis_db, settings):
    from repos.models import HookSecret

    user = connected_user()
    HookSecret(REPO_ID).set("repo-secret")
    headers = {"HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_TYPE": "repository",
               "HTTP_X_GITHUB_HOOK_INSTALLATION_TARGET_ID": str(REPO_ID)}
    with redis_down():
        good = deliver(client, "pull_request", fixture_bytes(MERGED), secret="repo-secret", headers=headers)
        forged = deliver(client, "pull_request", fixture_bytes(MERGED), secret="forged", headers=headers)

    assert good.status_code == forged.status_code == 202
    assert inbox_drain() == {"processed": 1, "failed": 0, "rejected": 1, "left": 0}
    assert redis_db.exists(f"entry:{user.id}:{REPO}:17")


def test_it_answers_503_with_retry_after_when_sql_is_down_too(client, redis_db):
    connected_user()
    with redis_down(), mock.patch.object(WebhookDelivery.objects, "create", side_effect=OperationalError("down")):
        response = deliver(client, "pull_request", fixture_bytes(MERGED))

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert response["Retry-After"]


def test_the_drain_runs_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["github-inbox-drain"]["task"] == "github_sync.inbox_drain"
