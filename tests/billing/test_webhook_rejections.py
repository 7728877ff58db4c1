"""``POST /api/billing/webhook``: every refused or acknowledged-only delivery changes nothing."""

import json
import time

import pytest

from tests.accounts_helpers import data_snapshot
from tests.billing.dodo_helpers import SECRET, deliver, sign, subscription_event


def snapshot(redis_db):
    return data_snapshot(redis_db)


@pytest.fixture
def pro_user(account, client, dodo_secret):
    """A user upgraded by one real delivery, so later refusals have state to leave alone."""
    record, _, _ = account()
    assert deliver(client, subscription_event("subscription.active", user_id=record.id), msg_id="msg_first").status_code == 200
    return record


def test_it_answers_503_when_no_webhook_secret_is_configured(client, redis_db, settings, account):
    settings.DODO_WEBHOOK_SECRET = ""
    record, _, _ = account()

    response = deliver(client, subscription_event("subscription.active", user_id=record.id))

    assert response.status_code == 503
    assert response.json()["code"] == "billing_not_configured"
    assert json.loads(redis_db.get(f"user:{record.id}"))["plan"] == "free"
    assert redis_db.keys("*dodo*") == []


def test_it_refuses_a_bad_signature_and_changes_nothing(client, redis_db, pro_user):
    before = snapshot(redis_db)
    event = subscription_event("subscription.cancelled", user_id=pro_user.id)

    response = deliver(client, event, msg_id="msg_forged", secret="whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert snapshot(redis_db) == before


def test_it_refuses_an_old_timestamp_and_changes_nothing(client, redis_db, pro_user):
    before = snapshot(redis_db)
    event = subscription_event("subscription.cancelled", user_id=pro_user.id)

    response = deliver(client, event, msg_id="msg_old", timestamp=time.time() - 6 * 60)

    assert response.status_code == 401
    assert "too old" in response.json()["detail"]
    assert snapshot(redis_db) == before


def test_it_refuses_missing_signature_headers(client, redis_db, pro_user):
    before = snapshot(redis_db)

    response = client.post("/api/billing/webhook", data=json.dumps(subscription_event("subscription.cancelled",
                                                                                       user_id=pro_user.id)),
                           content_type="application/json")

    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}
    assert snapshot(redis_db) == before


def test_it_acknowledges_a_replayed_id_and_changes_nothing(client, redis_db, pro_user):
    cancel = subscription_event("subscription.cancelled", user_id=pro_user.id)
    assert deliver(client, cancel, msg_id="msg_cancel").json() == {"status": "downgraded"}
    # the user resubscribes; then Dodo redelivers the old cancellation with the same webhook-id
    assert deliver(client, subscription_event("subscription.active", user_id=pro_user.id,
                                              subscription_id="sub_Second0000001"), msg_id="msg_again").status_code == 200
    before = snapshot(redis_db)

    response = deliver(client, cancel, msg_id="msg_cancel")

    assert response.status_code == 200
    assert response.json() == {"status": "duplicate"}
    assert snapshot(redis_db) == before
    assert json.loads(redis_db.get(f"user:{pro_user.id}"))["plan"] == "pro"


@pytest.mark.parametrize("body", ["{not json", "[]", '"text"', '{"type": "subscription.active"}',
                                  '{"type": 7, "data": {}}', '{"type": "subscription.active", "data": []}',
                                  '{"business_id": "b", "type": "subscription.active", "timestamp": "2026-03-09T12:00:00Z", '
                                  '"data": {"customer": {"customer_id": "cus_1"}}}',
                                  '{"business_id": "b", "type": "subscription.active", "timestamp": "2026-03-09T12:00:00Z", '
                                  '"data": {"subscription_id": "sub:evil", "metadata": {}}}'])
def test_it_answers_400_for_a_signed_but_malformed_body_and_changes_nothing(body, client, redis_db, pro_user):
    before = snapshot(redis_db)

    response = deliver(client, None, body=body, msg_id="msg_malformed")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_payload"
    assert snapshot(redis_db) == before


def test_it_refuses_a_body_that_is_not_utf8(client, redis_db, pro_user):
    before = snapshot(redis_db)
    body = b"\xff\xfe{}"
    headers = sign("x", msg_id="msg_bytes")

    response = client.post("/api/billing/webhook", data=body, content_type="application/json", **headers)

    assert response.status_code == 401
    assert snapshot(redis_db) == before


def test_it_answers_202_for_an_event_it_does_not_act_on(client, redis_db, pro_user):
    before = snapshot(redis_db)
    event = subscription_event("subscription.active", user_id=pro_user.id)
    event["type"] = "license_key.created"

    response = deliver(client, event, msg_id="msg_license")

    assert response.status_code == 202
    assert response.json()["status"] == "ignored"
    assert snapshot(redis_db) == before


def test_it_acknowledges_an_unknown_user_without_changing_anything(client, redis_db, pro_user, caplog):
    before = snapshot(redis_db)
    event = subscription_event("subscription.active", user_id="user_nobodyabcdefghijklmnopq",
                               customer_id="cus_StrangerXyz")

    response = deliver(client, event, msg_id="msg_stranger")

    assert response.status_code == 200
    assert response.json() == {"status": "unknown_user"}
    assert snapshot(redis_db) == before
    assert "unknown user" in caplog.text


def test_it_acknowledges_an_event_with_neither_metadata_nor_a_known_customer(client, redis_db, dodo_secret):
    event = subscription_event("subscription.renewed", metadata={}, customer_id="cus_NeverSeen")

    response = deliver(client, event)

    assert response.json() == {"status": "unknown_user"}
    assert redis_db.keys("*") == []


def test_it_answers_405_to_get(client, dodo_secret):
    response = client.get("/api/billing/webhook")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_it_answers_413_for_a_huge_body(client, redis_db, dodo_secret):
    body = json.dumps({"type": "payment.succeeded", "data": {"pad": "x" * (1024 * 1024)}})

    response = client.post("/api/billing/webhook", data=body, content_type="application/json",
                           **sign(body, secret=SECRET))

    assert response.status_code == 413
    assert redis_db.keys("*") == []
