"""Webhook receivers shut out a source that keeps sending bad signatures (per IP, per minute)."""

import pytest
from django.test import override_settings

from tests.webhook_helpers import deliver, fixture_bytes

LIMITS = {"webhook-refused": (3, 60)}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def global_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = "It's a Secret to Everybody"


def forged(client, **extra):
    return deliver(client, "ping", fixture_bytes("ping"), secret="not the secret", **extra)


@override_settings(RATE_LIMITS=LIMITS)
def test_it_refuses_a_source_with_429_once_it_spent_its_refusals(client):
    assert [forged(client).status_code for _ in range(3)] == [401, 401, 401]

    refused = deliver(client, "ping", fixture_bytes("ping"))

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1


@override_settings(RATE_LIMITS=LIMITS)
def test_it_never_counts_accepted_deliveries(client):
    for _ in range(10):
        assert deliver(client, "ping", fixture_bytes("ping")).status_code == 200

    assert forged(client).status_code == 401


@override_settings(RATE_LIMITS=LIMITS)
def test_it_limits_each_source_on_its_own(client):
    for _ in range(3):
        forged(client, headers={"REMOTE_ADDR": "203.0.113.7"})

    assert forged(client, headers={"REMOTE_ADDR": "203.0.113.7"}).status_code == 429
    assert deliver(client, "ping", fixture_bytes("ping"), headers={"REMOTE_ADDR": "198.51.100.2"}).status_code == 200


@override_settings(RATE_LIMITS=LIMITS)
def test_the_billing_webhook_shares_the_limit(client):
    for _ in range(3):
        forged(client)

    response = client.post("/api/billing/webhook", data=b"{}", content_type="application/json")

    assert response.status_code == 429
