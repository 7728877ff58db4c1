"""The subscription state machine: what one verified DodoPayments event does to a user's plan.

Everything one event changes (the ``user:`` record's plan and ``dodoCustomerId``, both dodo keys,
the customer index, the subscription state and the ``lock:`` marker of its ``webhook-id``) is
written in one WATCH/MULTI, so a replay, a concurrent duplicate or an older event arriving late
changes nothing (docs/billing.md).
"""

import json
import logging
import time

from accounts.models import User
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import parse_iso

log = logging.getLogger(__name__)

WEBHOOK_MARKER_TTL = 60 * 60 * 24 * 30  # Dodo retries for days; a marker outlives every retry

UPGRADE_EVENTS = {"subscription.active", "subscription.renewed"}
DOWNGRADE_EVENTS = {"subscription.cancelled", "subscription.expired", "subscription.failed"}
SUBSCRIPTION_EVENTS = UPGRADE_EVENTS | DOWNGRADE_EVENTS | {"subscription.on_hold", "subscription.plan_changed"}
PAYMENT_EVENTS = {"payment.succeeded", "payment.failed", "payment.processing", "payment.cancelled"}


def epoch(text):
    """Epoch seconds (float) of an ISO 8601 timestamp (one without an offset is UTC), or None."""
    try:
        return parse_iso(text, naive_is_utc=True).timestamp()
    except (TypeError, ValueError):
        return None


def payment_record(*, user_id, marker, kind, data, event_at):
    """Remember what a payment event says (``meta:dodo-payments:{userId}``, by payment id); an
    event older than the one stored for that payment changes nothing. Returns the outcome."""
    payments_key = keys.meta_dodo_payments(user_id)
    payment_id = data["payment_id"]

    def record(pipe):
        if pipe.exists(marker):
            return "duplicate"
        if not pipe.exists(keys.user(user_id)):
            return "unknown_user"
        previous = pipe.hget(payments_key, payment_id)
        stale = previous is not None and json.loads(previous).get("eventAt", 0) > event_at
        amount = data.get("total_amount")
        pipe.multi()
        if not stale:
            pipe.hset(payments_key, payment_id, json.dumps({
                "paymentId": payment_id,
                "status": data.get("status") or kind.split(".", 1)[1],
                "totalAmount": amount if isinstance(amount, int) else None,
                "currency": data.get("currency") if isinstance(data.get("currency"), str) else None,
                "subscriptionId": data.get("subscription_id") if isinstance(data.get("subscription_id"), str) else None,
                "createdAt": data.get("created_at") if isinstance(data.get("created_at"), str) else None,
                "eventType": kind,
                "eventAt": event_at,
            }, separators=(",", ":")))
        pipe.set(marker, kind, ex=WEBHOOK_MARKER_TTL)
        return "stale" if stale else "recorded"

    return kv.transaction(record, marker, keys.user(user_id), payments_key)


def subscription_apply(*, user_id, marker, kind, data, event_at, customer_id):
    """Move the user's plan as a subscription event says: ``upgraded`` (Pro), ``downgraded``
    (free), ``on_hold`` (free once the paid period ends, ``on_hold_expire``) or ``updated``;
    ``duplicate``, ``stale`` and ``other_subscription`` change nothing but the marker."""
    user_key = keys.user(user_id)
    state_key = keys.meta_dodo_subscription(user_id)
    subscription_key = keys.dodo_subscription_id(user_id)
    customer_key = keys.dodo_customer_id(user_id)
    subscription_id = data["subscription_id"]
    period_end = epoch(data.get("next_billing_date"))
    status = data.get("status") if isinstance(data.get("status"), str) else None

    def apply(pipe):
        if pipe.exists(marker):
            return "duplicate"
        raw = pipe.get(user_key)
        if raw is None:
            return "unknown_user"
        state_raw = pipe.get(state_key)
        state = json.loads(state_raw) if state_raw else {}
        if state.get("eventAt") is not None and event_at < state["eventAt"]:
            pipe.multi()
            pipe.set(marker, kind, ex=WEBHOOK_MARKER_TTL)
            return "stale"
        current_subscription = pipe.get(subscription_key)
        old_customer = pipe.get(customer_key)
        user = User.loads(raw)

        if kind in UPGRADE_EVENTS or (kind == "subscription.plan_changed" and status in (None, "active")):
            action = "upgraded"
        elif kind in DOWNGRADE_EVENTS or (kind == "subscription.on_hold" and period_end is not None
                                         and period_end <= time.time()):
            action = "downgraded"
        elif kind == "subscription.on_hold":
            action = "on_hold"
        else:
            action = "updated"
        if action in ("downgraded", "on_hold") and current_subscription and current_subscription != subscription_id:
            # about a subscription the user no longer has (e.g. the one before a resubscribe)
            pipe.multi()
            pipe.set(marker, kind, ex=WEBHOOK_MARKER_TTL)
            return "other_subscription"

        pipe.multi()
        if action == "upgraded":
            user.plan = "pro"
            pipe.set(subscription_key, subscription_id)
        elif action == "downgraded":
            user.plan = "free"
            pipe.delete(subscription_key)
        if customer_id:
            user.dodoCustomerId = customer_id
            pipe.set(customer_key, customer_id)
            pipe.set(keys.idx_dodo_customer(customer_id), user_id)
            if old_customer and old_customer != customer_id:
                pipe.delete(keys.idx_dodo_customer(old_customer))
        user.save(pipe=pipe)
        if action == "on_hold":
            pipe.zadd(keys.meta_dodo_on_hold(), {user_id: period_end if period_end is not None else time.time()})
        else:
            pipe.zrem(keys.meta_dodo_on_hold(), user_id)
        pipe.set(state_key, json.dumps(_subscription_state(data, kind=kind, event_at=event_at),
                                       separators=(",", ":")))
        pipe.set(marker, kind, ex=WEBHOOK_MARKER_TTL)
        return action

    return kv.transaction(apply, marker, user_key, state_key, subscription_key, customer_key)


def _subscription_state(data, *, kind, event_at):
    def text(name):
        value = data.get(name)
        return value if isinstance(value, str) else None

    amount = data.get("recurring_pre_tax_amount")
    return {
        "subscriptionId": data["subscription_id"],
        "status": text("status") or kind.split(".", 1)[1],
        "productId": text("product_id"),
        "nextBillingDate": text("next_billing_date"),
        "cancelAtNextBillingDate": bool(data.get("cancel_at_next_billing_date")),
        "currency": text("currency"),
        "amount": amount if isinstance(amount, int) else None,
        "paymentFrequencyInterval": text("payment_frequency_interval"),
        "eventType": kind,
        "eventAt": event_at,
    }


def on_hold_expire(*, now=None):
    """Move users whose on-hold subscription's paid period has ended to the free plan.

    Reads only ``meta:dodo-on-hold`` (no scan); each user changes in its own WATCH/MULTI and only
    when the state still says on hold, so a recovery (``subscription.active``) that arrived
    meanwhile wins. Returns the userIds moved to free.
    """
    now = now or time.time()
    client = kv.get_client()
    moved = []
    for user_id in client.zrangebyscore(keys.meta_dodo_on_hold(), "-inf", now):
        user_key, state_key = keys.user(user_id), keys.meta_dodo_subscription(user_id)

        def expire(pipe, user_id=user_id, user_key=user_key, state_key=state_key):
            raw, state_raw = pipe.get(user_key), pipe.get(state_key)
            state = json.loads(state_raw) if state_raw else {}
            score = pipe.zscore(keys.meta_dodo_on_hold(), user_id)
            pipe.multi()
            if raw is None or state.get("status") != "on_hold" or score is None or score > now:
                if score is not None and score <= now:  # recovered, or the user is gone: forget it
                    pipe.zrem(keys.meta_dodo_on_hold(), user_id)
                return False
            user = User.loads(raw)
            user.plan = "free"
            user.save(pipe=pipe)
            pipe.delete(keys.dodo_subscription_id(user_id))
            pipe.set(state_key, json.dumps({**state, "status": "expired_on_hold"}, separators=(",", ":")))
            pipe.zrem(keys.meta_dodo_on_hold(), user_id)
            return True

        if kv.transaction(expire, user_key, state_key, keys.meta_dodo_on_hold()):
            moved.append(user_id)
            log.info("Subscription of %s stayed on hold past its period: moved to free", user_id)
    return moved
