"""Concurrent duplicates, Redis outages, odd timestamps, and billing data in the GDPR export."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import redis

from accounts.lifecycle import account_export
from billing.subscriptions import epoch
from billing.webhooks import dodo_event_apply
from changelog_site.kv import client as kv
from tests.billing.dodo_helpers import deliver, payment_event, subscription_event


def test_it_applies_one_of_two_concurrent_deliveries_of_the_same_id(account, redis_db):
    record, _, _ = account()
    event = subscription_event("subscription.active", user_id=record.id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: dodo_event_apply(webhook_id="msg_same", event=event).status,
                                range(8)))

    assert sorted(replies) == ["duplicate"] * 7 + ["upgraded"]
    assert json.loads(redis_db.get(f"user:{record.id}"))["plan"] == "pro"


def test_it_keeps_the_newest_of_concurrent_out_of_order_events(account, redis_db):
    record, _, _ = account()
    base = time.time() - 100
    events = [(f"msg_{n}", subscription_event("subscription.cancelled" if n % 2 else "subscription.renewed",
                                              user_id=record.id, at=base + n)) for n in range(10)]

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda pair: dodo_event_apply(webhook_id=pair[0], event=pair[1]), reversed(events)))

    state = json.loads(redis_db.get(f"meta:dodo-subscription:{record.id}"))
    assert abs(state["eventAt"] - (base + 9)) < 1e-3  # the newest (a cancellation) won whatever the arrival order
    assert json.loads(redis_db.get(f"user:{record.id}"))["plan"] == "free"


def test_it_answers_503_with_retry_after_when_redis_is_down(client, account, dodo_secret):
    record, _, _ = account()
    unreachable = redis.Redis(host="127.0.0.1", port=1, decode_responses=True, socket_connect_timeout=0.2)

    with kv.use_client(unreachable):
        response = deliver(client, subscription_event("subscription.active", user_id=record.id))

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable" and response["Retry-After"]


def test_it_reads_dodo_timestamps_with_any_precision():
    assert epoch("2026-03-09T12:00:00Z") == 1773057600
    assert epoch("2026-03-09T12:00:00.123456789Z") == 1773057600.123456
    assert epoch("2026-03-09T17:30:00+05:30") == 1773057600
    assert epoch("yesterday") is None and epoch(None) is None


def test_it_exports_the_subscription_and_payments_seen(account, dodo_secret, client):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id), msg_id="msg_1")
    deliver(client, payment_event("payment.succeeded", user_id=record.id), msg_id="msg_2")

    export = account_export(user_id=record.id)

    assert export["payments"] == {"customerId": "cus_9KdLw3Hs2Qx", "subscriptionId": "sub_7Xq2LmN4pR8sT1vW"}
    assert export["billing"]["subscription"]["status"] == "active"
    assert [p["paymentId"] for p in export["billing"]["paymentsSeen"]] == ["pay_3Hn8QwE2rT5yU7iO"]
