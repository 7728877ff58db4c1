"""DodoPayments webhook intake: check the Standard Webhooks signature, parse the event, find its
user and hand it to the subscription state machine (``billing.subscriptions``)."""

import binascii
import hashlib
import json
import logging
import re
import time

from django.conf import settings
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts.models import User
from billing.models import DodoIds
from billing.subscriptions import PAYMENT_EVENTS, SUBSCRIPTION_EVENTS, epoch, payment_record, subscription_apply
from changelog_site.domain import Outcome, PayloadTooLarge, ServiceNotConfigured, Unauthenticated, ValidationFailed
from changelog_site.kv import keys

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 1024 * 1024
DODO_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


def _checked_id(value, what):
    if value is None:
        return None
    if not isinstance(value, str) or not DODO_ID.match(value):
        raise ValidationFailed(f"The event's {what} is not a valid DodoPayments id.", code="malformed_payload")
    return value


def dodo_webhook_verify(*, headers, body):
    """Check the Standard Webhooks signature of ``body`` (raw bytes) and only then parse it.

    Returns ``(webhook_id, event)``. Raises ``ServiceNotConfigured`` (``billing_not_configured``)
    without ``DODO_WEBHOOK_SECRET``; ``Unauthenticated`` (``invalid_signature``) for missing headers,
    a timestamp more than five minutes away or no matching ``v1,`` signature; ``ValidationFailed``
    (``malformed_payload``) for a signed body that is not a Dodo event.
    """
    secret = settings.DODO_WEBHOOK_SECRET
    if not secret:
        raise ServiceNotConfigured("DodoPayments webhooks are not configured on this server "
                                   "(DODO_WEBHOOK_SECRET is unset).", code="billing_not_configured")
    if len(body) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge("DodoPayments webhook payloads are at most 1 MB.")
    webhook_id = dodo_signature_verify(headers=headers, body=body, secret=secret)
    try:
        event = json.loads(body)
    except ValueError:
        raise ValidationFailed("The webhook body is not JSON.", code="malformed_payload") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str) or not isinstance(event.get("data"), dict):
        raise ValidationFailed("The webhook body is not a DodoPayments event (an object with type and data).",
                               code="malformed_payload")
    return webhook_id, event


def dodo_signature_verify(*, headers, body, secret):
    """Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` (within five minutes of now) and
    ``webhook-signature`` (space-separated ``v1,<base64>`` signatures, one must match the HMAC-SHA256
    of ``id.timestamp.body`` keyed with the base64 part of ``whsec_...``). Returns the webhook id;
    raises ``Unauthenticated`` (``invalid_signature``)."""
    wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
    signed_headers = {name: headers.get(name, "") for name in wanted}
    if not all(signed_headers.values()):
        raise Unauthenticated("The webhook-id, webhook-timestamp and webhook-signature headers are required.",
                              code="invalid_signature")
    try:
        Webhook(secret).verify(body, signed_headers, json_parse=False)
    except WebhookVerificationError as error:
        raise Unauthenticated(f"The webhook signature is not valid ({error}).", code="invalid_signature") from None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        # a signature without "v1,", undecodable base64, a body that is not UTF-8
        raise Unauthenticated("The webhook signature is not valid (malformed).", code="invalid_signature") from None
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
    """Apply one verified Dodo event; returns its ``Outcome`` (``ignored``, ``unknown_user``, or what changed).

    Everything one event changes (the ``user:`` record's plan and ``dodoCustomerId``, both dodo
    keys, the customer index, the subscription state and the ``lock:`` marker of its
    ``webhook-id``) is written in one WATCH/MULTI, so a replay, a concurrent duplicate or an
    older event arriving late changes nothing.
    """
    kind = event["type"]
    data = event["data"]
    if kind not in SUBSCRIPTION_EVENTS and kind not in PAYMENT_EVENTS:
        return Outcome("ignored", {"detail": f"Shiplog does not act on {kind} events."})
    event_at = epoch(event.get("timestamp")) or received_at or time.time()
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    customer_id = _checked_id(customer.get("customer_id"), "customer id")
    if kind in PAYMENT_EVENTS:
        payment_id = _checked_id(data.get("payment_id"), "payment id")
        if payment_id is None:
            raise ValidationFailed("A payment event needs data.payment_id.", code="malformed_payload")
    else:
        if _checked_id(data.get("subscription_id"), "subscription id") is None:
            raise ValidationFailed("A subscription event needs data.subscription_id.", code="malformed_payload")

    user_id = _event_user_id(data)
    if user_id is None or User.get(user_id) is None:
        log.warning("Dodo %s event %s for an unknown user (userId %r, customer %r): acknowledged, nothing changed",
                    kind, webhook_id, user_id, customer_id)
        return Outcome("unknown_user")

    marker = _marker_key(webhook_id)
    if kind in PAYMENT_EVENTS:
        outcome = payment_record(user_id=user_id, marker=marker, kind=kind, data=data, event_at=event_at)
    else:
        outcome = subscription_apply(user_id=user_id, marker=marker, kind=kind, data=data, event_at=event_at,
                                      customer_id=customer_id)
    if outcome == "unknown_user":
        log.warning("Dodo %s event %s: user %s vanished meanwhile; nothing changed", kind, webhook_id, user_id)
    else:
        log.info("Dodo %s event %s for %s: %s", kind, webhook_id, user_id, outcome)
    return Outcome(outcome)
