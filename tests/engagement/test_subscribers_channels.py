"""Slack and Discord posts of published entries, and the Mailchimp audience sync, against a local fake
of each service's HTTP API."""

import base64
import hashlib

import pytest

from engagement import subscription_settings
from entries.publishing import entry_publish, entry_unpublish
from tests.engagement.subscriber_helpers import (REPO, browser, fake_http, smtp_sink,  # noqa: F401
                                                 subscribe_and_confirm)
from tests.factories import make_entry, make_repo

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels_on(signed_in, fake_http, settings):
    """The owner, signed in, with Slack and Discord webhooks on the fake saved from the settings page."""
    client, record = signed_in
    make_repo(record, name=REPO)
    settings.CHANNEL_WEBHOOK_PREFIXES = {"slack": [fake_http.url + "/slack/"], "discord": [fake_http.url + "/discord/"]}
    client.post(f"/dashboard/repositories/{REPO}/subscribers/", {
        "digestWeekday": "0", "digestHour": "9", "digestTimezone": "UTC",
        "slackWebhook": fake_http.url + "/slack/T1/B1/secret", "discordWebhook": fake_http.url + "/discord/1/secret"})
    return client, record


def test_it_posts_each_published_entry_once_to_slack_and_discord(channels_on, fake_http):
    _, owner = channels_on
    draft = make_entry(owner, repo_id=REPO, pr_id=9, title="Dark <mode> & more", category="New")

    entry_publish(user_id=owner.id, entry_id=draft.id)
    entry_unpublish(user_id=owner.id, entry_id=draft.id)
    entry_publish(user_id=owner.id, entry_id=draft.id)

    by_path = {request["path"]: request["json"] for request in fake_http.requests}
    assert sorted(by_path) == ["/discord/1/secret", "/slack/T1/B1/secret"] and len(fake_http.requests) == 2
    slack, discord = by_path["/slack/T1/B1/secret"], by_path["/discord/1/secret"]
    assert "Dark &lt;mode&gt; &amp; more" in slack["blocks"][0]["text"]["text"]
    assert slack["blocks"][0]["text"]["text"].count("/changelog/octo-org/octo-repo/9/") == 1
    assert discord["embeds"][0]["title"] == "Dark <mode> & more" and discord["allowed_mentions"] == {"parse": []}
    assert all(channel["status"]["ok"] for channel in subscription_settings.repo_settings(REPO)["channels"].values())


@pytest.fixture
def eager_retries():
    """Eager tasks that retry as a worker would (without propagating the Retry to the caller)."""
    from changelog_site.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_it_retries_a_failing_webhook_shows_it_to_the_owner_and_never_fails_the_publish(channels_on, fake_http,
                                                                                       eager_retries):
    client, owner = channels_on
    fake_http.statuses = {"/slack/": 500}

    published = entry_publish(user_id=owner.id, entry_id=make_entry(owner, repo_id=REPO).id)

    slack_calls = [request for request in fake_http.requests if request["path"].startswith("/slack/")]
    assert published.status == "published" and len(slack_calls) == 6  # the first try and five retries
    status = subscription_settings.repo_settings(REPO)["channels"]["slack"]["status"]
    assert status["ok"] is False and "500" in status["error"]
    page = client.get("/dashboard/subscribers/", {"repo": REPO})
    assert b"The last post to Slack failed" in page.content


def test_it_posts_a_test_message_from_the_test_button(channels_on, fake_http):
    client, _ = channels_on

    answer = client.post(f"/dashboard/repositories/{REPO}/subscribers/test/", {"channel": "discord"}, follow=True)

    assert b"A test message was posted to Discord" in answer.content
    assert [request["json"]["content"] for request in fake_http.requests] == ["Test message from Shiplog"]


def test_it_syncs_confirmed_subscribers_to_a_mailchimp_audience(signed_in, fake_http, settings, smtp_sink):
    client, record = signed_in
    make_repo(record, name=REPO)
    settings.MAILCHIMP_API_KEY, settings.MAILCHIMP_AUDIENCE_ID = "abc123-us21", "aud42"
    settings.MAILCHIMP_API_URL = fake_http.url + "/3.0"
    member = "/3.0/lists/aud42/members/" + hashlib.md5(b"ada@example.com").hexdigest()

    subscribe_and_confirm(browser(), smtp_sink, "ada@example.com")
    synced = client.post(f"/dashboard/subscribers/{REPO}/mailchimp/", follow=True)
    client.post(f"/dashboard/subscribers/{REPO}/remove/", {"email": "ada@example.com"})

    calls = [(request["method"], request["path"], request["json"]) for request in fake_http.requests]
    assert calls[0] == ("PUT", member, {"email_address": "ada@example.com", "status_if_new": "subscribed",
                                        "status": "subscribed"})
    assert calls[1] == ("POST", "/3.0/lists/aud42", {"members": [{"email_address": "ada@example.com",
                                                                  "status": "subscribed"}], "update_existing": True})
    assert calls[2][:2] == ("PUT", member) and calls[2][2]["status"] == "unsubscribed"
    assert fake_http.requests[0]["auth"] == "Basic " + base64.b64encode(b"shiplog:abc123-us21").decode()
    assert b"being synced" in synced.content and subscription_settings.repo_settings(REPO)["mailchimpStatus"]["ok"]
