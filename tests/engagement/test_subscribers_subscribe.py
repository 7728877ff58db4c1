"""The public subscribe endpoint (form and JSON for the widget) and the links in emails: expired,
tampered and reused confirm links, rate limits, the honeypot, normalisation, preferences."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from changelog_site.kv import keys
from engagement.models import Subscriber
from tests.engagement.subscriber_helpers import (BASE, BROWSER, REPO, browser, connected, link_in,  # noqa: F401
                                                 smtp_sink, subscribe, subscribe_and_confirm)

pytestmark = pytest.mark.django_db


def post_json(client, body, **headers):
    return client.post(BASE + "subscribe/", body, content_type="application/json", HTTP_USER_AGENT=BROWSER,
                       HTTP_ACCEPT="application/json", **headers)


def test_it_refuses_an_expired_confirm_link_with_a_form_for_a_new_one(smtp_sink):
    connected()
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        subscribe(browser(), "ada@example.com")
    link = link_in(smtp_sink.to("ada@example.com")[0], "confirm")

    page = browser().post(link)

    assert page.status_code == 410 and b"expired" in page.content
    assert b'value="ada@example.com"' in page.content and BASE.encode() + b"subscribe/" in page.content
    assert Subscriber.get(REPO, "ada@example.com").confirmed is False


def test_it_refuses_a_tampered_confirm_link(smtp_sink):
    connected()
    subscribe(browser(), "ada@example.com")
    link = link_in(smtp_sink.to("ada@example.com")[0], "confirm")
    tampered = link[:-6] + ("A" if link[-6] != "A" else "B") + link[-5:]

    assert browser().get(tampered).status_code == 400
    assert browser().post(tampered).status_code == 400
    assert Subscriber.get(REPO, "ada@example.com").confirmed is False


def test_it_refuses_a_reused_confirm_link(smtp_sink):
    connected()
    confirmation = subscribe_and_confirm(browser(), smtp_sink, "ada@example.com")

    again = browser().post(link_in(confirmation, "confirm"))

    assert again.status_code == 410 and b"already used" in again.content


def test_it_resends_the_confirmation_without_duplicating_and_keeps_earlier_links_working(smtp_sink):
    connected()
    subscribe(browser(), "ada@example.com")
    subscribe(browser(), "ada@example.com")

    first, second = smtp_sink.to("ada@example.com")
    assert [s.email for s in Subscriber.for_repo(REPO)] == ["ada@example.com"]
    assert browser().post(link_in(first, "confirm")).status_code == 200
    assert browser().post(link_in(second, "confirm")).status_code == 410


def test_it_answers_the_same_whether_or_not_the_address_was_subscribed(smtp_sink):
    connected()
    subscribe_and_confirm(browser(), smtp_sink, "old@example.com", digest=True)
    before = Subscriber.get(REPO, "old@example.com").to_dict()

    known = post_json(browser(), {"email": "old@example.com", "allUpdates": True})
    unknown = post_json(browser(), {"email": "new@example.com", "allUpdates": True})

    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    assert Subscriber.get(REPO, "old@example.com").to_dict() == before  # changed only by the new link
    assert browser().post(link_in(smtp_sink.to("old@example.com")[-1], "confirm")).status_code == 200
    assert Subscriber.get(REPO, "old@example.com").preferences["allUpdates"] is True


def test_it_lets_the_widget_subscribe_with_json_from_another_origin(smtp_sink):
    connected()
    preflight = browser().options(BASE + "subscribe/", HTTP_ORIGIN="https://app.example.com",
                                  HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    answer = post_json(browser(), {"email": "ada@example.com", "digest": True}, HTTP_ORIGIN="https://app.example.com",
                       HTTP_SEC_FETCH_SITE="cross-site")

    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]
    assert answer.status_code == 202 and answer["Access-Control-Allow-Origin"] == "*"
    assert answer.json()["status"] == "pending"


def test_it_refuses_a_form_posted_from_another_site(smtp_sink):
    connected()

    answer = browser().post(BASE + "subscribe/", {"email": "ada@example.com"}, HTTP_SEC_FETCH_SITE="cross-site")

    assert answer.status_code == 403 and Subscriber.get(REPO, "ada@example.com") is None


def test_it_answers_bad_input_with_the_contracts_errors(smtp_sink):
    connected()

    bad_email = post_json(browser(), {"email": "not-an-address"})
    bad_flag = post_json(browser(), {"email": "ada@example.com", "digest": "yes"})
    nothing = post_json(browser(), {"email": "ada@example.com", "digest": False, "majorReleases": False})
    not_object = post_json(browser(), [1, 2])
    unknown = browser().post("/changelog/nobody/nothing/subscribe/", {"email": "ada@example.com"},
                             content_type="application/json")

    assert bad_email.status_code == 400 and bad_email.json()["errors"] == {"email": "is not a valid email address"}
    assert bad_flag.status_code == 400 and "digest" in bad_flag.json()["errors"]
    assert nothing.status_code == 400 and "preferences" in nothing.json()["errors"]
    assert not_object.status_code == 400 and not_object.json()["code"] == "malformed_request"
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert smtp_sink.messages == []


def test_it_normalises_the_address(smtp_sink):
    connected()

    post_json(browser(), {"email": "  Ada.Lovelace@Example.COM "})

    assert [s.email for s in Subscriber.for_repo(REPO)] == ["Ada.Lovelace@example.com"]


def test_it_drops_what_a_bot_typed_into_the_honeypot(smtp_sink):
    connected()

    answer = browser().post(BASE + "subscribe/", {"email": "bot@example.com", "website": "https://spam.example"})

    assert answer.status_code == 202 and Subscriber.get(REPO, "bot@example.com") is None and smtp_sink.messages == []


def test_it_limits_subscribes_per_ip_and_silently_per_address(smtp_sink, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "subscribe-ip": (3, 3600), "subscribe-address": (2, 3600)}
    connected()

    answers = [post_json(browser(), {"email": "ada@example.com"}).status_code for _ in range(3)]
    limited = post_json(browser(), {"email": "other@example.com"})

    assert answers == [202, 202, 202] and len(smtp_sink.to("ada@example.com")) == 2
    assert limited.status_code == 429 and limited["Retry-After"] and limited.json()["code"] == "rate_limited"


def test_it_changes_preferences_from_the_link_in_a_mail(smtp_sink):
    from engagement.subscriptions import preferences_url

    connected()
    subscribe_and_confirm(browser(), smtp_sink, "ada@example.com", digest=True)
    path = preferences_url(REPO, "ada@example.com").removeprefix("http://testserver")

    page = browser().get(path)
    saved = browser().post(path, {"preferences": "1", "allUpdates": "on"})
    refused = browser().post(path, {"preferences": "1"})

    assert page.status_code == 200 and b"Weekly digest" in page.content
    assert saved.status_code == 200 and b"Saved." in saved.content and refused.status_code == 400
    assert Subscriber.get(REPO, "ada@example.com").preferences == {
        "digest": False, "majorReleases": False, "allUpdates": True}


def test_it_shows_the_subscribe_form_on_the_changelog_and_entry_pages(smtp_sink):
    from tests.engagement.public_helpers import published

    owner = connected()
    entry = published(owner, pr_id=3)

    for path in (BASE, f"{BASE}{entry.prId}/"):
        page = browser().get(path)
        assert page.status_code == 200 and b"data-subscribe" in page.content
        assert f'action="{BASE}subscribe/"'.encode() in page.content and b'name="website"' in page.content


def test_it_deletes_the_record_its_index_entry_and_its_state_on_unsubscribe(smtp_sink, redis_db):
    from engagement.subscriptions import unsubscribe_url

    connected()
    subscribe_and_confirm(browser(), smtp_sink, "ada@example.com")
    redis_db.hset(keys.meta_subscriber(REPO, "ada@example.com"), "lastSentAt", "2026-03-09T12:00:00Z")

    browser().post(unsubscribe_url(REPO, "ada@example.com").removeprefix("http://testserver"))
    again = browser().post(unsubscribe_url(REPO, "ada@example.com").removeprefix("http://testserver"))

    assert again.status_code == 200
    assert not redis_db.exists(keys.subscriber(REPO, "ada@example.com"), keys.meta_subscriber(REPO, "ada@example.com"))
    assert redis_db.smembers(keys.idx_repo_subscribers(REPO)) == set()
