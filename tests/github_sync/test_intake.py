"""The intake returns what it did as a domain ``Outcome`` and refuses with domain errors; no HTTP
is involved (the view's mapping of both is tested through the real endpoint in tests/entries)."""

import pytest

from changelog_site import domain
from changelog_site.webhooks import outcome_response
from github_sync.models import WebhookDelivery
from github_sync.services.dispatch import delivery_process
from github_sync.services.intake import MAX_BODY_BYTES, delivery_receive
from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, fixture_bytes, fixture_json, redis_down, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def operator_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def receive(event, body, *, signature=None, content_type="application/json", delivery="delivery-1"):
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "Content-Type": content_type,
               "X-Hub-Signature-256": sign(body) if signature is None else signature}
    return delivery_receive(headers=headers, body=body, content_type=content_type)


def test_it_answers_a_ping_with_githubs_zen(redis_db):
    outcome = receive("ping", fixture_bytes("ping"))

    assert outcome == domain.Outcome("pong", {"zen": fixture_json("ping")["zen"]})


def test_it_processes_a_merged_pull_request_of_a_connected_repository(redis_db):
    payload = fixture_json("pull_request.closed.merged")
    user = make_user()
    make_repo(user, name=payload["repository"]["full_name"], githubRepoId=payload["repository"]["id"])

    outcome = receive("pull_request", fixture_bytes("pull_request.closed.merged"))

    assert outcome == domain.Outcome("processed", {"entries": {"created": 1}})


def test_it_says_why_it_ignored_a_delivery(redis_db):
    outcome = receive("pull_request", fixture_bytes("pull_request.closed.merged"))

    assert (outcome.status, outcome.details, outcome.deferred) == ("ignored", {"reason": "not_connected"}, True)


def test_it_queues_a_delivery_in_the_inbox_while_redis_is_down(redis_db):
    with redis_down():
        outcome = receive("pull_request", fixture_bytes("pull_request.closed.merged"), delivery="kept-for-later")

    assert (outcome.status, outcome.deferred) == ("queued", True)
    assert WebhookDelivery.objects.get().delivery_id == "kept-for-later"


def test_it_refuses_a_signature_that_does_not_match(redis_db):
    with pytest.raises(domain.Unauthenticated) as refused:
        receive("ping", fixture_bytes("ping"), signature=sign(b"another body"))

    assert refused.value.code == "invalid_signature"


def test_it_refuses_a_delivery_without_an_event(redis_db):
    with pytest.raises(domain.ValidationFailed) as refused:
        receive("", fixture_bytes("ping"))

    assert refused.value.code == "missing_event"


def test_it_refuses_a_body_that_is_not_json(redis_db):
    with pytest.raises(domain.ValidationFailed) as refused:
        receive("ping", b"{nope")

    assert refused.value.code == "invalid_payload"


def test_it_refuses_a_content_type_github_does_not_send(redis_db):
    with pytest.raises(domain.UnsupportedMediaType):
        receive("ping", fixture_bytes("ping"), content_type="text/plain")


def test_it_refuses_a_body_over_githubs_cap_before_checking_anything(redis_db):
    with pytest.raises(domain.PayloadTooLarge):
        receive("ping", b" " * (MAX_BODY_BYTES + 1), signature="")


def test_it_acknowledges_app_installation_events_without_acting(redis_db):
    outcome = delivery_process(event="installation", delivery_id="d", payload=fixture_json("installation.created"))

    assert outcome == domain.Outcome("acknowledged")


def test_it_turns_a_malformed_pull_request_into_a_validation_failure(redis_db):
    payload = fixture_json("pull_request.closed.merged")
    del payload["pull_request"]

    with pytest.raises(domain.ValidationFailed) as refused:
        delivery_process(event="pull_request", delivery_id="d", payload=payload)

    assert (refused.value.code, refused.value.detail) == ("invalid_payload", "pull_request is missing")


@pytest.mark.parametrize(("outcome", "status"), [
    (domain.Outcome("processed", {"entries": {"created": 1}}), 200), (domain.Outcome("duplicate"), 200),
    (domain.Outcome("ignored", {"reason": "not_connected"}), 202), (domain.Outcome("queued"), 202),
])
def test_the_receivers_answer_an_outcome_accepted_but_not_acted_on_with_202(outcome, status):
    response = outcome_response(outcome)

    assert response.status_code == status
    assert response.content.decode().startswith('{"status": "' + outcome.status + '"')
