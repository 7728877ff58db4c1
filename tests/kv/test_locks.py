"""Locks are redis-py's ``Lock`` (changelog_site/kv/locks.py): one holder at a time, released or
renewed by their owner only, and kept alive through long waits."""

import time
from unittest import mock

import pytest
import responses

from changelog_site.domain import Conflict
from changelog_site.kv import locks
from github_sync.services import backfill, dispatch, inbox
from github_sync.models import WebhookDelivery
from tests.entries.test_backfill import PULLS, REPO, connected, pr

pytestmark = pytest.mark.django_db

DRAIN_LOCK = "lock:github-inbox-drain"
BACKFILL_LOCK = f"lock:backfill:{REPO}"
RATE_LIMITED = {"X-RateLimit-Remaining": "0", "Retry-After": "3600"}


def pending_pings(count):
    for n in range(count):
        WebhookDelivery.objects.create(delivery_id=f"ping-{n}", event="ping", body=b'{"zen": "Keep it simple."}')


def take_over(redis_db, key):
    """What another worker does once our lock has expired: take the key with its own token."""
    redis_db.set(key, "another-worker", px=60_000)


def test_release_leaves_alone_a_lock_that_expired_and_was_taken_by_another(redis_db):
    lock = locks.acquire("lock:test", timeout=0.05)
    time.sleep(0.1)
    take_over(redis_db, "lock:test")

    locks.release(lock)

    assert redis_db.get("lock:test") == "another-worker"


def test_a_second_drain_does_not_run_while_one_holds_the_lock(redis_db):
    pending_pings(1)
    holder = locks.acquire(DRAIN_LOCK, timeout=60)

    assert inbox.inbox_drain() == {"busy": True}

    assert WebhookDelivery.objects.get().state == WebhookDelivery.PENDING
    assert redis_db.get(DRAIN_LOCK) == holder.local.token.decode()


def test_a_drain_releases_its_lock_when_done(redis_db):
    pending_pings(2)

    assert inbox.inbox_drain()["processed"] == 2

    assert not redis_db.exists(DRAIN_LOCK)


def test_a_drain_that_lost_its_lock_stops_and_leaves_the_new_owners_lock(redis_db):
    pending_pings(2)
    process = dispatch.delivery_process

    def process_and_lose_the_lock(**delivery):
        take_over(redis_db, DRAIN_LOCK)
        return process(**delivery)

    with mock.patch.object(dispatch, "delivery_process", process_and_lose_the_lock):
        counts = inbox.inbox_drain()

    assert (counts["processed"], counts["left"]) == (1, 1)
    assert redis_db.get(DRAIN_LOCK) == "another-worker"


@responses.activate
def test_a_second_backfill_does_not_run_while_one_holds_the_lock(redis_db):
    connected()
    locks.acquire(BACKFILL_LOCK, timeout=60)

    with pytest.raises(Conflict) as refused:
        backfill.entries_backfill(repo_name=REPO)

    assert refused.value.code == "backfill_running"
    assert len(responses.calls) == 0


@responses.activate
def test_a_backfill_keeps_its_lock_through_an_hour_long_rate_limit_wait(redis_db):
    connected()
    responses.get(PULLS, status=403, json={"message": "API rate limit exceeded"}, headers=RATE_LIMITED)
    responses.get(PULLS, json=[pr(6)])
    slices, ttls = [], []

    def sleep(seconds):
        """Each slice of the wait: check the lock has its full timeout again, then use nearly all of it."""
        slices.append(seconds)
        ttls.append(redis_db.pttl(BACKFILL_LOCK))
        redis_db.pexpire(BACKFILL_LOCK, 50)

    result = backfill.entries_backfill(repo_name=REPO, sleep=sleep)

    assert result["created"] == 1
    assert sum(slices) == 3600 and max(slices) <= backfill.BACKFILL_LOCK_SECONDS / 3
    assert min(ttls) > (backfill.BACKFILL_LOCK_SECONDS - 10) * 1000
    assert not redis_db.exists(BACKFILL_LOCK)


@responses.activate
def test_a_backfill_that_lost_its_lock_stops_and_leaves_the_new_owners_lock(redis_db):
    user = connected()
    responses.get(PULLS, status=403, json={"message": "API rate limit exceeded"}, headers=RATE_LIMITED)
    responses.get(PULLS, json=[pr(6)])

    with pytest.raises(backfill.BackfillError, match="took over"):
        backfill.entries_backfill(repo_name=REPO, sleep=lambda seconds: take_over(redis_db, BACKFILL_LOCK))

    assert redis_db.get(BACKFILL_LOCK) == "another-worker"
    assert len(responses.calls) == 1
    assert not redis_db.exists(f"entry:{user.id}:{REPO}:6")
