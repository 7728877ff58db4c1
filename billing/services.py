"""Account and plan operations, and DodoPayments (docs/billing.md)."""

import binascii
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from billing import dodo
from billing.models import Account, BillingState, DodoIds, Usage, User, current_month
from changelog_site.errors import ApiError
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import parse_iso

log = logging.getLogger(__name__)


def account_link(*, user_id, email):
    """Make sure a Django account is linked to ``user:{userId}``; returns ``(account, action)``.

    ``action`` is ``"kept"`` (already linked), ``"linked"`` (an account with that email existed
    and had no Shiplog id) or ``"created"`` (a new account with no usable password: its owner
    signs in with GitHub or sets a password through "forgot password"). An email already linked
    to another userId is left alone: ``(None, "conflict")``.
    """
    existing = Account.objects.select_related("user").filter(shiplog_user_id=user_id).first()
    if existing:
        return existing, "kept"
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is not None:
            if Account.objects.filter(user=user).exists():
                return None, "conflict"
            action = "linked"
        else:
            user = User(username=_free_username(email or user_id), email=email or "")
            user.set_unusable_password()
            user.save()
            action = "created"
        account = Account.objects.create(user=user, shiplog_user_id=user_id)
        if email:
            EmailAddress.objects.get_or_create(user=user, email=email.lower(),
                                               defaults={"primary": True, "verified": False})
    return account, action


def _free_username(wanted):
    User = get_user_model()
    base = wanted[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def plan_limits(*, user):
    """The monthly limits of ``user``'s plan (a ``billing.models.User``): None means unlimited."""
    return settings.PLAN_LIMITS.get(user.plan if user else "free", settings.PLAN_LIMITS["free"])


def usage_summary(*, user):
    """This month's usage beside the plan's limits, as the dashboard card and /api/usage/ show it."""
    used = Usage(user.id).get()
    limits = plan_limits(user=user)
    return {
        "plan": user.plan,
        "month": current_month(),
        "usage": used,
        "limits": limits,
        "remaining": {name: None if limits[name] is None else max(0, limits[name] - used[name]) for name in used},
    }


# --- DodoPayments: webhooks (docs/billing.md) ---------------------------------------------------

WEBHOOK_MARKER_TTL = 60 * 60 * 24 * 30  # Dodo retries for days; a marker outlives every retry
MAX_WEBHOOK_BYTES = 1024 * 1024
DODO_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")

UPGRADE_EVENTS = {"subscription.active", "subscription.renewed"}
DOWNGRADE_EVENTS = {"subscription.cancelled", "subscription.expired", "subscription.failed"}
SUBSCRIPTION_EVENTS = UPGRADE_EVENTS | DOWNGRADE_EVENTS | {"subscription.on_hold", "subscription.plan_changed"}
PAYMENT_EVENTS = {"payment.succeeded", "payment.failed", "payment.processing", "payment.cancelled"}


@dataclass
class WebhookReply:
    status: int
    body: dict


def _checked_id(value, what):
    if value is None:
        return None
    if not isinstance(value, str) or not DODO_ID.match(value):
        raise ApiError(400, "malformed_payload", f"The event's {what} is not a valid DodoPayments id.")
    return value


def _epoch(text):
    """Epoch seconds (float) of an ISO 8601 timestamp (one without an offset is UTC), or None."""
    try:
        return parse_iso(text, naive_is_utc=True).timestamp()
    except (TypeError, ValueError):
        return None


def dodo_webhook_verify(*, headers, body):
    """Check the Standard Webhooks signature of ``body`` (raw bytes) and only then parse it.

    Returns ``(webhook_id, event)``. Raises ``ApiError``: 503 ``billing_not_configured`` without
    ``DODO_WEBHOOK_SECRET``; 401 ``invalid_signature`` for missing headers, a timestamp more than
    five minutes away or no matching ``v1,`` signature; 400 ``malformed_payload`` for a signed body
    that is not a Dodo event.
    """
    secret = settings.DODO_WEBHOOK_SECRET
    if not secret:
        raise ApiError(503, "billing_not_configured",
                       "DodoPayments webhooks are not configured on this server (DODO_WEBHOOK_SECRET is unset).")
    if len(body) > MAX_WEBHOOK_BYTES:
        raise ApiError(413, "payload_too_large", "DodoPayments webhook payloads are at most 1 MB.")
    webhook_id = dodo_signature_verify(headers=headers, body=body, secret=secret)
    try:
        event = json.loads(body)
    except ValueError:
        raise ApiError(400, "malformed_payload", "The webhook body is not JSON.") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict):
        raise ApiError(400, "malformed_payload", "The webhook body is not a DodoPayments event "
                                                 "(an object with type and data).")
    return webhook_id, event


def dodo_signature_verify(*, headers, body, secret):
    """Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` (within five minutes of now) and
    ``webhook-signature`` (space-separated ``v1,<base64>`` signatures, one must match the HMAC-SHA256
    of ``id.timestamp.body`` keyed with the base64 part of ``whsec_...``). Returns the webhook id;
    raises ``ApiError`` 401 ``invalid_signature``."""
    wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
    signed_headers = {name: headers.get(name, "") for name in wanted}
    if not all(signed_headers.values()):
        raise ApiError(401, "invalid_signature", "The webhook-id, webhook-timestamp and webhook-signature headers "
                                                 "are required.")
    try:
        Webhook(secret).verify(body, signed_headers, json_parse=False)
    except WebhookVerificationError as error:
        raise ApiError(401, "invalid_signature", f"The webhook signature is not valid ({error}).") from None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        # a signature without "v1,", undecodable base64, a body that is not UTF-8
        raise ApiError(401, "invalid_signature", "The webhook signature is not valid (malformed).") from None
    return signed_headers["webhook-id"]


def _marker_key(webhook_id):
    name = webhook_id if DODO_ID.match(webhook_id) else hashlib.sha256(webhook_id.encode()).hexdigest()
    return keys.dodo_webhook(name)


def _event_user_id(data):
    """The userId the event is about: the checkout's ``metadata.userId``, else the customer index."""
    metadata = data.get("metadata")
    user_id = metadata.get("userId") if isinstance(metadata, dict) else None
    if isinstance(user_id, str) and DODO_ID.match(user_id):
        return user_id
    customer = data.get("customer")
    customer_id = customer.get("customer_id") if isinstance(customer, dict) else None
    if isinstance(customer_id, str) and DODO_ID.match(customer_id):
        return DodoIds.user_id_for_customer(customer_id)
    return None


def dodo_event_apply(*, webhook_id, event, received_at=None):
    """Apply one verified Dodo event; returns a ``WebhookReply``.

    Everything one event changes (the ``user:`` record's plan and ``dodoCustomerId``, both dodo
    keys, the customer index, the subscription state and the ``lock:`` marker of its
    ``webhook-id``) is written in one WATCH/MULTI, so a replay, a concurrent duplicate or an
    older event arriving late changes nothing.
    """
    kind = event["type"]
    data = event["data"]
    if kind not in SUBSCRIPTION_EVENTS and kind not in PAYMENT_EVENTS:
        return WebhookReply(202, {"status": "ignored", "detail": f"Shiplog does not act on {kind} events."})
    event_at = _epoch(event.get("timestamp")) or received_at or time.time()
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    customer_id = _checked_id(customer.get("customer_id"), "customer id")
    if kind in PAYMENT_EVENTS:
        payment_id = _checked_id(data.get("payment_id"), "payment id")
        if payment_id is None:
            raise ApiError(400, "malformed_payload", "A payment event needs data.payment_id.")
    else:
        if _checked_id(data.get("subscription_id"), "subscription id") is None:
            raise ApiError(400, "malformed_payload", "A subscription event needs data.subscription_id.")

    user_id = _event_user_id(data)
    if user_id is None or User.get(user_id) is None:
        log.warning("Dodo %s event %s for an unknown user (userId %r, customer %r): acknowledged, nothing changed",
                    kind, webhook_id, user_id, customer_id)
        return WebhookReply(200, {"status": "unknown_user"})

    marker = _marker_key(webhook_id)
    if kind in PAYMENT_EVENTS:
        outcome = _payment_record(user_id=user_id, marker=marker, kind=kind, data=data, event_at=event_at)
    else:
        outcome = _subscription_apply(user_id=user_id, marker=marker, kind=kind, data=data, event_at=event_at,
                                      customer_id=customer_id)
    if outcome == "unknown_user":
        log.warning("Dodo %s event %s: user %s vanished meanwhile; nothing changed", kind, webhook_id, user_id)
    else:
        log.info("Dodo %s event %s for %s: %s", kind, webhook_id, user_id, outcome)
    return WebhookReply(200, {"status": outcome})


def _payment_record(*, user_id, marker, kind, data, event_at):
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


def _subscription_apply(*, user_id, marker, kind, data, event_at, customer_id):
    user_key = keys.user(user_id)
    state_key = keys.meta_dodo_subscription(user_id)
    subscription_key = keys.dodo_subscription_id(user_id)
    customer_key = keys.dodo_customer_id(user_id)
    subscription_id = data["subscription_id"]
    period_end = _epoch(data.get("next_billing_date"))
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


# --- DodoPayments: checkout, portal, cancel -------------------------------------------------------

CURRENCY_SYMBOLS = {"INR": "₹", "USD": "$"}


def pro_offer(*, location):
    """The Pro product for a location: ``{"location", "currency", "price", "display", "productId"}``.

    ``location`` ``in`` pays in INR with ``DODO_PRODUCT_ID_IN``; everyone else in USD with
    ``DODO_PRODUCT_ID_INTL``. When no INR product is configured, India gets the USD offer.
    """
    offers = settings.DODO_PRO_PRODUCTS
    chosen = "in" if location == "in" and (offers["in"]["productId"] or not offers["intl"]["productId"]) else "intl"
    offer = offers[chosen]
    symbol = CURRENCY_SYMBOLS.get(offer["currency"], offer["currency"] + " ")
    return {"location": chosen, "currency": offer["currency"], "price": offer["price"],
            "display": f"{symbol}{offer['price']}", "productId": offer["productId"]}


def billing_status(*, user_id, user=None):
    """What the Billing page shows: plan, Dodo ids, subscription state, payments seen, usage."""
    user = user or User.get(user_id)
    client = kv.get_client()
    state_raw, payments = client.get(keys.meta_dodo_subscription(user_id)), client.hvals(keys.meta_dodo_payments(user_id))
    state = json.loads(state_raw) if state_raw else None
    if state:
        state["nextBillingAt"] = _parse_or_none(state.get("nextBillingDate"))
        state["amountDisplay"] = _money(state.get("amount"), state.get("currency"))
    payments = sorted((json.loads(raw) for raw in payments), key=lambda p: (p.get("createdAt") or "", p["paymentId"]),
                      reverse=True)
    for payment in payments:
        payment["createdAt_dt"] = _parse_or_none(payment.get("createdAt"))
        payment["amountDisplay"] = _money(payment.get("totalAmount"), payment.get("currency"))
    return {
        "plan": user.plan,
        "ids": DodoIds(user_id).get(),
        "subscription": state,
        "payments": payments,
        "usage": usage_summary(user=user),
        "offer": pro_offer(location=user.location or "intl"),
        "apiConfigured": dodo.configured(),
        "missingSettings": dodo.missing_settings(),
    }


def billing_export(*, user_id):
    """Billing's own data of a user for the GDPR export: the subscription state and payments seen."""
    return BillingState(user_id).export()


def _money(amount, currency):
    """``₹749.00`` from Dodo's smallest-unit integer amount and currency; "" when unknown."""
    if not isinstance(amount, int):
        return ""
    return f"{CURRENCY_SYMBOLS.get(currency, (currency or '') + ' ')}{amount / 100:,.2f}"


def _parse_or_none(text):
    seconds = _epoch(text)
    return datetime.fromtimestamp(seconds, tz=dt_timezone.utc) if seconds is not None else None


def _dodo_failure(error):
    return ApiError(502, "payment_provider_error", str(error))


def _require_configured():
    if not dodo.configured():
        raise ApiError(503, "billing_not_configured", "Payments are not configured on this server (set "
                       + ", ".join(dodo.missing_settings()) + ").")


def checkout_create(*, user_id, return_url):
    """Start a DodoPayments checkout for Pro; returns the hosted checkout URL to redirect to."""
    _require_configured()
    user = User.get(user_id)
    if user is None:
        raise ApiError(404, "not_found", "This account has no user record.")
    if user.plan == "pro":
        raise ApiError(409, "already_pro", "You are already on the Pro plan.")
    offer = pro_offer(location=user.location or "intl")
    if not offer["productId"]:
        raise ApiError(503, "billing_not_configured", "No Pro product is configured on this server "
                                                      "(set DODO_PRODUCT_ID_INTL and/or DODO_PRODUCT_ID_IN).")
    customer_id = DodoIds(user_id).get()["customerId"] or user.dodoCustomerId
    try:
        _session, url = dodo.checkout_session_create(product_id=offer["productId"], user_id=user_id,
                                                     email=user.email, customer_id=customer_id,
                                                     return_url=return_url)
    except dodo.DodoError as error:
        raise _dodo_failure(error) from None
    return url


def portal_session_create(*, user_id):
    """A DodoPayments customer-portal link (invoices, payment method, cancel) for a paying user."""
    _require_configured()
    user = User.get(user_id)
    customer_id = DodoIds(user_id).get()["customerId"] or (user.dodoCustomerId if user else None)
    if not customer_id:
        raise ApiError(409, "no_customer", "There is no DodoPayments customer for this account yet.")
    try:
        return dodo.customer_portal_session_create(customer_id=customer_id)
    except dodo.DodoError as error:
        raise _dodo_failure(error) from None


def subscription_cancel(*, user_id):
    """Cancel the subscription at the end of the paid period (Pro stays until then).

    Dodo's reply updates the stored state (``cancelAtNextBillingDate``, ``nextBillingDate``); the
    plan itself changes when Dodo's ``subscription.cancelled``/``expired`` webhook arrives.
    """
    _require_configured()
    subscription_id = DodoIds(user_id).get()["subscriptionId"]
    if not subscription_id:
        raise ApiError(409, "no_subscription", "There is no active subscription to cancel.")
    try:
        reply = dodo.subscription_update(subscription_id=subscription_id,
                                         changes={"cancel_at_next_billing_date": True})
    except dodo.DodoError as error:
        raise _dodo_failure(error) from None
    state_key = keys.meta_dodo_subscription(user_id)

    def remember(pipe):
        raw = pipe.get(state_key)
        state = json.loads(raw) if raw else {"subscriptionId": subscription_id, "eventAt": None}
        if state.get("subscriptionId") != subscription_id:
            return state
        state["cancelAtNextBillingDate"] = bool(reply.get("cancel_at_next_billing_date", True))
        if isinstance(reply.get("next_billing_date"), str):
            state["nextBillingDate"] = reply["next_billing_date"]
        pipe.multi()
        pipe.set(state_key, json.dumps(state, separators=(",", ":")))
        return state

    return kv.transaction(remember, state_key)
