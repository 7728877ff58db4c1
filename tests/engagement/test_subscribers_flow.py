"""Email subscribers end to end through a real SMTP server: subscribe, confirm (GET shows, POST
confirms), the mail sent on publish, the RFC 8058 one-click unsubscribe, and subscribers written by
another implementation."""

import json

import pytest
from django.core.management import call_command

from changelog_site.kv import keys
from engagement.models import Subscriber
from entries.publishing import entry_publish, entry_unpublish
from tests.engagement.subscriber_helpers import (BASE, REPO, browser, connected, link_in, smtp_sink,  # noqa: F401
                                                 subscribe, subscribe_and_confirm, text_of)
from tests.factories import make_entry

pytestmark = pytest.mark.django_db


def test_it_subscribes_confirms_mails_on_publish_and_unsubscribes_in_one_click(smtp_sink):
    owner = connected()
    reader = browser()
    draft = make_entry(owner, repo_id=REPO, pr_id=7, title="Dark mode", labels=["enhancement"])

    answer = subscribe(reader, "ada@example.com", allUpdates=True)
    record = Subscriber.get(REPO, "ada@example.com")
    assert answer.status_code == 202 and record.confirmed is False and record.confirmToken
    confirmation, = smtp_sink.to("ada@example.com")
    assert "Confirm your subscription" in confirmation["Subject"] and "List-Unsubscribe" not in confirmation
    link = link_in(confirmation, "confirm")

    shown = reader.get(link)
    assert shown.status_code == 200 and b"Yes, subscribe me" in shown.content
    assert Subscriber.get(REPO, "ada@example.com").confirmed is False

    assert reader.post(link).status_code == 200
    confirmed = Subscriber.get(REPO, "ada@example.com")
    assert confirmed.confirmed is True and confirmed.preferences == {
        "digest": False, "majorReleases": False, "allUpdates": True}

    subscribe(browser(), "pending@example.com", allUpdates=True)
    subscribe_and_confirm(browser(), smtp_sink, "digest-only@example.com", digest=True)
    smtp_sink.clear()

    entry_publish(user_id=owner.id, entry_id=draft.id)

    assert [message["To"] for message in smtp_sink.messages] == ["ada@example.com"]
    update = smtp_sink.messages[0]
    assert "Dark mode" in update["Subject"] and update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = update["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe_url.startswith("http://testserver/subscriptions/unsubscribe/")
    assert "Dark mode" in text_of(update)

    entry_unpublish(user_id=owner.id, entry_id=draft.id)
    entry_publish(user_id=owner.id, entry_id=draft.id)
    assert len(smtp_sink.messages) == 1

    one_click = browser().post(unsubscribe_url.removeprefix("http://testserver"), "List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200
    assert Subscriber.get(REPO, "ada@example.com") is None
    assert "ada@example.com" not in {s.email for s in Subscriber.for_repo(REPO)}


def test_it_shows_a_button_on_get_of_the_unsubscribe_link_and_keeps_the_subscriber(smtp_sink):
    owner = connected()
    subscribe_and_confirm(browser(), smtp_sink, "ada@example.com", allUpdates=True)
    entry_publish(user_id=owner.id, entry_id=make_entry(owner, repo_id=REPO).id)
    link = link_in(smtp_sink.messages[-1], "unsubscribe")

    page = browser().get(link)

    assert page.status_code == 200 and b"Unsubscribe" in page.content and b"/subscriptions/preferences/" in page.content
    assert Subscriber.get(REPO, "ada@example.com") is not None


def test_it_mails_major_release_subscribers_only_major_entries(smtp_sink):
    owner = connected()
    subscribe_and_confirm(browser(), smtp_sink, "major@example.com", majorReleases=True)
    smtp_sink.clear()

    entry_publish(user_id=owner.id, entry_id=make_entry(owner, repo_id=REPO, labels=["bug"]).id)
    assert smtp_sink.messages == []

    entry_publish(user_id=owner.id, entry_id=make_entry(owner, repo_id=REPO, labels=["breaking-change"]).id)
    assert [message["To"] for message in smtp_sink.messages] == ["major@example.com"]
    assert "Major release" in text_of(smtp_sink.messages[0])


def test_it_never_fails_a_publish_when_the_mail_server_is_down(settings, redis_db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    owner = connected()
    Subscriber(email="ada@example.com", repoId=REPO, confirmed=True, confirmToken="t",
               preferences={"digest": True, "majorReleases": True, "allUpdates": True}).save()
    draft = make_entry(owner, repo_id=REPO, pr_id=5)

    published = entry_publish(user_id=owner.id, entry_id=draft.id)

    assert published.status == "published"
    state = redis_db.hgetall(keys.meta_subscriber(REPO, "ada@example.com"))
    assert int(state["failures"]) >= 1 and state["lastError"]
    assert not redis_db.sismember(keys.lock_subscribers_mailed(REPO, 5), "ada@example.com")  # free for a retry


def test_it_keeps_the_state_of_subscribers_another_implementation_wrote(smtp_sink, redis_db):
    owner = connected()
    for address, confirmed in (("yes@example.com", True), ("no@example.com", False)):
        redis_db.set(f"subscriber:{REPO}:{address}", json.dumps({
            "email": address, "repoId": REPO, "subscribedAt": "2026-01-02T03:04:05.000Z", "confirmed": confirmed,
            "confirmToken": "their-own-token",
            "preferences": {"digest": True, "majorReleases": True, "allUpdates": True}}))

    call_command("kv_reindex", verbosity=0)
    entry_publish(user_id=owner.id, entry_id=make_entry(owner, repo_id=REPO).id)

    assert [message["To"] for message in smtp_sink.messages] == ["yes@example.com"]
    assert redis_db.smembers(keys.idx_repo_subscribers(REPO)) == {"yes@example.com", "no@example.com"}
    assert Subscriber.get(REPO, "no@example.com").confirmed is False
