"""Subscription lifecycle through Dodo's webhooks, asserted on the raw Redis keys."""

import json
import time

import pytest

from billing.subscriptions import on_hold_expire
from billing.tasks import on_hold_expire_task
from tests.billing.dodo_helpers import deliver, payment_event, subscription_event

T0 = time.time() - 120  # events happened in the last two minutes; deliveries are signed "now"


def raw_user(redis_db, user_id):
    return json.loads(redis_db.get(f"user:{user_id}"))


def test_it_runs_upgrade_then_cancel_then_renew_on_the_documents_keys(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    uid = record.id

    up = deliver(client, subscription_event("subscription.active", user_id=uid, at=T0), msg_id="msg_up")
    assert up.json() == {"status": "upgraded"}
    assert raw_user(redis_db, uid)["plan"] == "pro"
    assert raw_user(redis_db, uid)["dodoCustomerId"] == "cus_9KdLw3Hs2Qx"
    assert redis_db.get(f"user:{uid}:dodo_customer_id") == "cus_9KdLw3Hs2Qx"
    assert redis_db.get(f"user:{uid}:dodo_subscription_id") == "sub_7Xq2LmN4pR8sT1vW"
    assert redis_db.get("idx:dodo-customer:cus_9KdLw3Hs2Qx") == uid
    assert redis_db.get("lock:dodo-webhook:msg_up") == "subscription.active"
    assert 0 < redis_db.ttl("lock:dodo-webhook:msg_up") <= 30 * 86400

    down = deliver(client, subscription_event("subscription.cancelled", user_id=uid, at=T0 + 10), msg_id="msg_down")
    assert down.json() == {"status": "downgraded"}
    assert raw_user(redis_db, uid)["plan"] == "free"
    assert redis_db.exists(f"user:{uid}:dodo_subscription_id") == 0
    assert redis_db.get(f"user:{uid}:dodo_customer_id") == "cus_9KdLw3Hs2Qx"  # the customer stays

    again = deliver(client, subscription_event("subscription.renewed", user_id=uid, subscription_id="sub_Renewed000001",
                                               at=T0 + 20), msg_id="msg_renew")
    assert again.json() == {"status": "upgraded"}
    assert raw_user(redis_db, uid) == {"id": uid, "email": record.email, "plan": "pro",
                                       "dodoCustomerId": "cus_9KdLw3Hs2Qx", "createdAt": record.to_dict()["createdAt"],
                                       "location": "intl"}
    assert redis_db.get(f"user:{uid}:dodo_subscription_id") == "sub_Renewed000001"
    state = json.loads(redis_db.get(f"meta:dodo-subscription:{uid}"))
    assert state["status"] == "active" and state["eventType"] == "subscription.renewed"
    assert state["subscriptionId"] == "sub_Renewed000001"


def test_it_ignores_an_older_event_arriving_after_a_newer_one(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0 + 30), msg_id="msg_new")

    late = deliver(client, subscription_event("subscription.cancelled", user_id=record.id, at=T0), msg_id="msg_old")

    assert late.json() == {"status": "stale"}
    assert raw_user(redis_db, record.id)["plan"] == "pro"
    assert redis_db.get(f"user:{record.id}:dodo_subscription_id") == "sub_7Xq2LmN4pR8sT1vW"
    assert json.loads(redis_db.get(f"meta:dodo-subscription:{record.id}"))["eventType"] == "subscription.active"


def test_it_ignores_an_old_upgrade_arriving_after_a_cancellation(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_a")
    deliver(client, subscription_event("subscription.expired", user_id=record.id, at=T0 + 50), msg_id="msg_b")

    late = deliver(client, subscription_event("subscription.renewed", user_id=record.id, at=T0 + 20), msg_id="msg_c")

    assert late.json() == {"status": "stale"}
    assert raw_user(redis_db, record.id)["plan"] == "free"
    assert redis_db.exists(f"user:{record.id}:dodo_subscription_id") == 0


def test_it_finds_the_user_by_customer_id_when_metadata_is_missing(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_1")

    response = deliver(client, subscription_event("subscription.failed", metadata={}, at=T0 + 5), msg_id="msg_2")

    assert response.json() == {"status": "downgraded"}
    assert raw_user(redis_db, record.id)["plan"] == "free"


def test_it_keeps_pro_while_on_hold_until_the_period_ends(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_1")
    period_end = time.time() + 3 * 86400

    held = deliver(client, subscription_event("subscription.on_hold", user_id=record.id, at=T0 + 5,
                                              next_billing=period_end), msg_id="msg_2")

    assert held.json() == {"status": "on_hold"}
    assert raw_user(redis_db, record.id)["plan"] == "pro"
    assert redis_db.get(f"user:{record.id}:dodo_subscription_id") == "sub_7Xq2LmN4pR8sT1vW"
    assert redis_db.zscore("meta:dodo-on-hold", record.id) == pytest.approx(period_end, abs=1e-3)
    assert on_hold_expire() == []
    assert on_hold_expire(now=period_end + 1) == [record.id]
    assert raw_user(redis_db, record.id)["plan"] == "free"
    assert redis_db.exists(f"user:{record.id}:dodo_subscription_id") == 0
    assert redis_db.zcard("meta:dodo-on-hold") == 0


def test_it_downgrades_at_once_when_on_hold_arrives_after_the_period_ended(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_1")

    held = deliver(client, subscription_event("subscription.on_hold", user_id=record.id, at=T0 + 5,
                                              next_billing=time.time() - 60), msg_id="msg_2")

    assert held.json() == {"status": "downgraded"}
    assert raw_user(redis_db, record.id)["plan"] == "free"


def test_it_keeps_pro_when_an_on_hold_subscription_recovers_before_the_task_runs(client, redis_db, account,
                                                                                 dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.on_hold", user_id=record.id, at=T0,
                                       next_billing=time.time() + 60), msg_id="msg_1")
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0 + 5), msg_id="msg_2")

    assert on_hold_expire_task.delay().get() == []
    assert raw_user(redis_db, record.id)["plan"] == "pro"


def test_it_ignores_a_cancellation_of_a_subscription_the_user_no_longer_has(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, subscription_id="sub_New000000001",
                                       at=T0), msg_id="msg_1")

    old = deliver(client, subscription_event("subscription.expired", user_id=record.id,
                                             subscription_id="sub_Old000000001", at=T0 + 5), msg_id="msg_2")

    assert old.json() == {"status": "other_subscription"}
    assert raw_user(redis_db, record.id)["plan"] == "pro"
    assert redis_db.get(f"user:{record.id}:dodo_subscription_id") == "sub_New000000001"


def test_it_updates_the_product_on_a_plan_change(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_1")

    changed = deliver(client, subscription_event("subscription.plan_changed", user_id=record.id, at=T0 + 5,
                                                 product_id="pdt_ProINR01"), msg_id="msg_2")

    assert changed.json() == {"status": "upgraded"}
    assert json.loads(redis_db.get(f"meta:dodo-subscription:{record.id}"))["productId"] == "pdt_ProINR01"
    assert raw_user(redis_db, record.id)["plan"] == "pro"


def test_it_moves_the_customer_index_when_the_customer_id_changes(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id, customer_id="cus_First", at=T0),
            msg_id="msg_1")

    deliver(client, subscription_event("subscription.renewed", user_id=record.id, customer_id="cus_Second",
                                       at=T0 + 5), msg_id="msg_2")

    assert redis_db.get("idx:dodo-customer:cus_Second") == record.id
    assert redis_db.exists("idx:dodo-customer:cus_First") == 0
    assert raw_user(redis_db, record.id)["dodoCustomerId"] == "cus_Second"


def test_it_writes_a_plan_change_in_one_transaction(client, redis_db, account, dodo_secret, record_commands):
    record, _, _ = account()

    with record_commands() as recorded:
        deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_1")

    names = [command.split(" ", 1)[0].upper() for command in recorded.commands]
    multi, exec_ = names.index("MULTI"), names.index("EXEC")
    writes = [c for n, c in zip(names, recorded.commands) if n in ("SET", "DEL", "ZADD", "ZREM", "SADD")]
    inside = recorded.commands[multi:exec_]
    assert names.count("MULTI") == 1 and "WATCH" in names[:multi]
    assert all(write in inside for write in writes)
    for key in (f"user:{record.id}", f"user:{record.id}:dodo_customer_id", f"user:{record.id}:dodo_subscription_id",
                "lock:dodo-webhook:msg_1", f"meta:dodo-subscription:{record.id}"):
        assert any(command.split(" ")[1:2] == [key] for command in inside), key


def test_it_records_payments_for_the_billing_page(client, redis_db, account, dodo_secret):
    record, _, _ = account()

    deliver(client, payment_event("payment.processing", user_id=record.id, at=T0), msg_id="msg_1")
    ok = deliver(client, payment_event("payment.succeeded", user_id=record.id, at=T0 + 5), msg_id="msg_2")
    late = deliver(client, payment_event("payment.processing", user_id=record.id, at=T0 + 1), msg_id="msg_3")

    assert ok.json() == {"status": "recorded"} and late.json() == {"status": "stale"}
    payment = json.loads(redis_db.hget(f"meta:dodo-payments:{record.id}", "pay_3Hn8QwE2rT5yU7iO"))
    assert payment["status"] == "succeeded" and payment["totalAmount"] == 900 and payment["currency"] == "USD"
    assert raw_user(redis_db, record.id)["plan"] == "free"  # payments alone never change the plan


def test_it_does_not_let_a_payment_event_block_a_later_activation(client, redis_db, account, dodo_secret):
    record, _, _ = account()
    deliver(client, payment_event("payment.succeeded", user_id=record.id, at=T0 + 5), msg_id="msg_pay")

    activated = deliver(client, subscription_event("subscription.active", user_id=record.id, at=T0), msg_id="msg_sub")

    assert activated.json() == {"status": "upgraded"}
    assert raw_user(redis_db, record.id)["plan"] == "pro"


def test_it_removes_billing_keys_with_the_account(client, redis_db, account, dodo_secret):
    from accounts.lifecycle import account_delete

    record, _, _ = account()
    deliver(client, subscription_event("subscription.on_hold", user_id=record.id, at=T0,
                                       next_billing=time.time() + 60), msg_id="msg_1")
    deliver(client, payment_event("payment.failed", user_id=record.id, at=T0), msg_id="msg_2")

    account_delete(user_id=record.id)

    assert [key for key in redis_db.keys("*") if not key.startswith("lock:")] == []
