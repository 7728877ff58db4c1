"""DodoPayments webhook payloads built from Dodo's published schema, and their signing.

Every payload these builders return is validated against ``OutgoingWebhook`` in
``tests/fixtures/dodo/outgoing-webhook.openapi-subset.json`` (Dodo's own OpenAPI description), so
the tests feed the receiver what Dodo really sends, field names and required fields included.
"""

import base64
import json
import time
from datetime import datetime, timezone

from jsonschema import Draft202012Validator
from standardwebhooks.webhooks import Webhook

from tests.conftest import load_fixture

SECRET = "whsec_" + base64.b64encode(b"shiplog-test-dodo-webhook-secret").decode()
BUSINESS_ID = "bus_P4mXYkqD1h6ZsSRt"
_schema = load_fixture("dodo/outgoing-webhook.openapi-subset.json")
VALIDATOR = Draft202012Validator({**_schema, "$ref": "#/components/schemas/OutgoingWebhook"})


def iso_at(seconds):
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _customer(customer_id, email):
    return {"customer_id": customer_id, "email": email, "name": "Ada Lovelace"}


def _billing(country="IN"):
    return {"country": country, "state": "Karnataka", "city": "Bengaluru", "street": "12 MG Road",
            "zipcode": "560001"}


def subscription_event(kind, *, user_id=None, subscription_id="sub_7Xq2LmN4pR8sT1vW", customer_id="cus_9KdLw3Hs2Qx",
                       email="dev@example.com", at=None, next_billing=None, status=None, product_id="pdt_ProUSD01",
                       cancel_at_next_billing_date=False, metadata=None):
    """A ``subscription.*`` event (``OutgoingWebhook`` with a ``SubscriptionResponse``)."""
    at = time.time() if at is None else at
    status = status or {"subscription.active": "active", "subscription.renewed": "active",
                        "subscription.plan_changed": "active", "subscription.on_hold": "on_hold",
                        "subscription.cancelled": "cancelled", "subscription.failed": "failed",
                        "subscription.expired": "expired"}[kind]
    metadata = metadata if metadata is not None else ({"userId": user_id} if user_id else {})
    data = {
        "payload_type": "Subscription",
        "subscription_id": subscription_id,
        "recurring_pre_tax_amount": 900,
        "tax_inclusive": False,
        "currency": "USD",
        "status": status,
        "created_at": iso_at(at - 86400),
        "product_id": product_id,
        "quantity": 1,
        "trial_period_days": 0,
        "subscription_period_interval": "Year",
        "payment_frequency_interval": "Month",
        "subscription_period_count": 10,
        "payment_frequency_count": 1,
        "next_billing_date": iso_at(next_billing if next_billing is not None else at + 30 * 86400),
        "previous_billing_date": iso_at(at - 86400),
        "customer": _customer(customer_id, email),
        "metadata": metadata,
        "cancel_at_next_billing_date": cancel_at_next_billing_date,
        "cancelled_at": iso_at(at) if status == "cancelled" else None,
        "billing": _billing(),
        "on_demand": False,
        "addons": [],
        "meters": [],
        "discount_id": None,
    }
    return _event(kind, data, at)


def payment_event(kind, *, user_id=None, payment_id="pay_3Hn8QwE2rT5yU7iO", customer_id="cus_9KdLw3Hs2Qx",
                  subscription_id="sub_7Xq2LmN4pR8sT1vW", amount=900, currency="USD", at=None, status=None):
    """A ``payment.*`` event (``OutgoingWebhook`` with a ``PaymentResponse``)."""
    at = time.time() if at is None else at
    status = status or kind.split(".", 1)[1]
    data = {
        "payload_type": "Payment",
        "payment_id": payment_id,
        "business_id": BUSINESS_ID,
        "brand_id": "bus_P4mXYkqD1h6ZsSRt",
        "total_amount": amount,
        "currency": currency,
        "settlement_amount": amount,
        "settlement_currency": currency,
        "tax": 0,
        "created_at": iso_at(at),
        "status": status,
        "subscription_id": subscription_id,
        "customer": _customer(customer_id, "dev@example.com"),
        "metadata": {"userId": user_id} if user_id else {},
        "billing": _billing(),
        "disputes": [],
        "refunds": [],
        "digital_products_delivered": False,
        "payment_method": "card",
        "card_last_four": "4242",
        "card_network": "VISA",
        "error_code": None,
        "error_message": None,
    }
    return _event(kind, data, at)


def _event(kind, data, at):
    event = {"business_id": BUSINESS_ID, "type": kind, "timestamp": iso_at(at), "data": data}
    VALIDATOR.validate(event)
    return event


def sign(body, *, secret=SECRET, msg_id="msg_2b9zPq4nX7", timestamp=None):
    """The three Standard Webhooks headers for ``body`` (str), as Django test-client kwargs."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signature = Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, tz=timezone.utc), body)
    return {"HTTP_WEBHOOK_ID": msg_id, "HTTP_WEBHOOK_TIMESTAMP": str(timestamp), "HTTP_WEBHOOK_SIGNATURE": signature}


def deliver(client, event, *, msg_id="msg_2b9zPq4nX7", timestamp=None, secret=SECRET, body=None):
    """POST an event to the receiver, signed as Dodo would; returns the response."""
    body = json.dumps(event, separators=(",", ":")) if body is None else body
    return client.post("/api/billing/webhook", data=body, content_type="application/json",
                       **sign(body, secret=secret, msg_id=msg_id, timestamp=timestamp))
