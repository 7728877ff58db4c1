"""Standard Webhooks verification against the published known-answer vectors."""

import json

import pytest

from billing.webhooks import dodo_signature_verify
from changelog_site.domain import Unauthenticated
from tests.billing.dodo_helpers import deliver, subscription_event
from tests.conftest import load_fixture

VECTORS = load_fixture("standard-webhooks/vectors.json")


@pytest.fixture
def frozen_now(time_machine):
    """``frozen_now(seconds)``: the clock stands at that epoch second (the vectors are from 2021 and 2022)."""
    return lambda seconds: time_machine.move_to(seconds, tick=False)


def _headers(vector, signature=None, timestamp=None):
    return {"webhook-id": vector["msg_id"], "webhook-timestamp": str(timestamp or vector["timestamp"]),
            "webhook-signature": signature or vector["signature"]}


@pytest.mark.parametrize("vector", VECTORS, ids=[v["msg_id"] for v in VECTORS])
def test_it_accepts_each_known_answer_vector(vector, frozen_now):
    frozen_now(vector["timestamp"] + 10)

    webhook_id = dodo_signature_verify(headers=_headers(vector), body=vector["payload"].encode(),
                                       secret=vector["secret"])

    assert webhook_id == vector["msg_id"]


def test_it_verifies_the_bytes_it_received_not_the_json_they_parse_to(client, account, dodo_secret):
    record, _, _ = account()
    event = subscription_event("subscription.active", user_id=record.id)
    event["data"]["customer"]["name"] = "Zoë Ångström"
    body = json.dumps(event, indent=2, ensure_ascii=False, sort_keys=True)  # not how Python would re-encode it

    response = deliver(client, event, body=body, msg_id="msg_pretty")

    assert response.status_code == 200 and response.json() == {"status": "upgraded"}


def test_it_accepts_a_matching_signature_among_several(frozen_now):
    vector = VECTORS[0]
    frozen_now(vector["timestamp"])
    several = "v1,Zm9yZ2VkIHNpZ25hdHVyZSBmb3IgYSByb3RhdGVkIGtleQ== v2,ignored " + vector["signature"]

    assert dodo_signature_verify(headers=_headers(vector, several), body=vector["payload"].encode(),
                                 secret=vector["secret"]) == vector["msg_id"]


@pytest.mark.parametrize("change", ["payload", "msg_id", "secret", "timestamp"])
def test_it_refuses_a_vector_with_one_part_changed(change, frozen_now):
    vector = dict(VECTORS[0])
    frozen_now(vector["timestamp"])
    headers = _headers(vector)
    body = vector["payload"]
    if change == "payload":
        body = body.replace("2432232314", "2432232315")
    elif change == "msg_id":
        headers["webhook-id"] = "msg_p5jXN8AQM9LWM0D4loKWxJeK"
    elif change == "secret":
        vector["secret"] = VECTORS[1]["secret"]
    else:
        headers["webhook-timestamp"] = str(vector["timestamp"] + 1)

    with pytest.raises(Unauthenticated) as raised:
        dodo_signature_verify(headers=headers, body=body.encode(), secret=vector["secret"])

    assert raised.value.code == "invalid_signature"


@pytest.mark.parametrize("offset", [-301, 301])
def test_it_refuses_a_timestamp_more_than_five_minutes_away(offset, frozen_now):
    vector = VECTORS[1]
    frozen_now(vector["timestamp"] - offset)

    with pytest.raises(Unauthenticated):
        dodo_signature_verify(headers=_headers(vector), body=vector["payload"].encode(), secret=vector["secret"])


@pytest.mark.parametrize("signature", ["garbage", "v1,not base64!!", "v1,a,b", ""])
def test_it_answers_401_for_a_malformed_signature_header(signature, frozen_now):
    vector = VECTORS[0]
    frozen_now(vector["timestamp"])
    headers = _headers(vector)
    headers["webhook-signature"] = signature

    with pytest.raises(Unauthenticated) as raised:
        dodo_signature_verify(headers=headers, body=vector["payload"].encode(), secret=vector["secret"])

    assert raised.value.code == "invalid_signature"


def test_it_verifies_a_vector_at_the_endpoint_before_parsing_it(client, settings, frozen_now):
    vector = VECTORS[0]
    settings.DODO_WEBHOOK_SECRET = vector["secret"]
    frozen_now(vector["timestamp"])

    response = client.post("/api/billing/webhook", data=vector["payload"], content_type="application/json",
                           HTTP_WEBHOOK_ID=vector["msg_id"], HTTP_WEBHOOK_TIMESTAMP=str(vector["timestamp"]),
                           HTTP_WEBHOOK_SIGNATURE=vector["signature"])

    # the signature passed; the body is not a Dodo event
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_payload"
