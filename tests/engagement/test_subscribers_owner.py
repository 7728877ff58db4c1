"""The owner's side: the Subscribers page, the list and CSV export, CSV import (double opt-in only),
removal, the repository's subscriber settings; and another owner seeing none of it."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from changelog_site.kv import keys
from engagement import subscription_settings
from engagement.models import Subscriber
from tests.engagement.subscriber_helpers import REPO, smtp_sink  # noqa: F401
from tests.factories import make_repo, make_subscriber

pytestmark = pytest.mark.django_db

ALL = {"digest": True, "majorReleases": True, "allUpdates": True}


@pytest.fixture
def owned(account):
    """The owner's bearer headers, with two subscribers (one confirmed) on ``REPO``."""
    record, django_user, auth = account()
    make_repo(record, name=REPO)
    make_subscriber(email="ada@example.com", confirmed=True, preferences=ALL, confirmToken="secret-token-1")
    make_subscriber(email="=cmd|calc@example.com", confirmed=False, confirmToken="secret-token-2")
    return record, django_user, auth


def test_it_shows_another_owner_none_of_these_subscribers(owned, account, client):
    intruder, intruder_user, auth = account()
    make_repo(intruder, name="intruder/own-repo")
    client.force_login(intruder_user)
    base = f"/dashboard/subscribers/{REPO}/"

    answers = [
        client.get(f"/api/repos/{REPO}/subscribers/", **auth),
        client.get(f"/api/repos/{REPO}/subscribers/?format=csv", **auth),
        client.post(f"/api/repos/{REPO}/digest/", **auth),
        client.get("/dashboard/subscribers/", {"repo": REPO}),
        client.post(base + "remove/", {"email": "ada@example.com"}),
        client.post(base + "import/", {"addresses": "new@example.com"}),
        client.post(base + "digest/"), client.post(base + "test-digest/"), client.post(base + "mailchimp/"),
        client.post(f"/dashboard/repositories/{REPO}/subscribers/", {"digestWeekday": "1", "digestHour": "1",
                                                                     "digestTimezone": "UTC"}),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert all(b"ada@example.com" not in answer.content for answer in answers)
    assert answers[1]["Content-Type"].startswith("application/json") and answers[1].json()["code"] == "not_found"
    assert Subscriber.get(REPO, "ada@example.com") is not None and Subscriber.get(REPO, "new@example.com") is None


def test_it_lists_subscribers_to_the_owner_without_their_tokens(owned, client):
    _, _, auth = owned

    body = client.get(f"/api/repos/{REPO}/subscribers/", **auth).json()

    assert body["counts"] == {"total": 2, "confirmed": 1, "pending": 1, "failing": 0}
    assert [row["email"] for row in body["subscribers"]] == ["=cmd|calc@example.com", "ada@example.com"]
    assert "secret-token" not in str(body) and "confirmToken" not in str(body)


def test_it_exports_a_spreadsheet_safe_csv(owned, client):
    _, _, auth = owned

    answer = client.get(f"/api/repos/{REPO}/subscribers/", {"format": "csv", "status": "confirmed"}, **auth)
    everyone = client.get(f"/api/repos/{REPO}/subscribers/?format=csv", **auth)

    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.getvalue().decode())))  # streamed
    assert [(row["email"], row["confirmed"], row["allUpdates"]) for row in rows] == [
        ("ada@example.com", "true", "true")]
    whole = everyone.getvalue().decode()
    assert "'=cmd|calc@example.com" in whole and "ada@example.com" in whole and "secret-token" not in whole


def test_it_imports_with_the_double_opt_in_mail_and_subscribes_nobody(owned, signed_in, smtp_sink):
    client, record = signed_in
    make_repo(record, name=REPO)
    upload = SimpleUploadedFile("list.csv", b"name,email\nAda,ada@example.com\nNew,new@example.com\n"
                                            b"Bad,not-an-address\nNew again,new@example.com\n", content_type="text/csv")

    answer = client.post(f"/dashboard/subscribers/{REPO}/import/", {"file": upload}, follow=True)

    assert answer.status_code == 200
    assert b"1 confirmation email(s) sent; 1 already subscribed, 1 invalid" in answer.content
    assert [message["To"] for message in smtp_sink.messages] == ["new@example.com"]
    assert Subscriber.get(REPO, "new@example.com").confirmed is False


def test_it_shows_counts_and_rows_on_the_subscribers_page_and_removes(owned, signed_in, redis_db):
    client, record = signed_in
    make_repo(record, name=REPO)
    redis_db.hset(keys.meta_subscriber(REPO, "ada@example.com"),
                  mapping={"failures": 1, "lastError": "550 mailbox unavailable",
                           "lastErrorAt": "2026-03-09T12:00:00Z"})

    page = client.get("/dashboard/subscribers/", {"repo": REPO})
    removed = client.post(f"/dashboard/subscribers/{REPO}/remove/", {"email": "ada@example.com"}, follow=True)
    gone = client.post(f"/dashboard/subscribers/{REPO}/remove/", {"email": "ada@example.com"})

    assert page.status_code == 200 and b"Coming soon" not in page.content
    assert b"ada@example.com" in page.content and b"550 mailbox unavailable" in page.content
    assert b"Export CSV" in page.content and b"Send me a test digest" in page.content
    assert removed.status_code == 200 and Subscriber.get(REPO, "ada@example.com") is None
    assert gone.status_code == 404


def test_it_keeps_webhooks_encrypted_and_refuses_other_hosts(signed_in, redis_db):
    client, record = signed_in
    make_repo(record, name=REPO)
    url = "https://hooks.slack.com/services/T000/B000/XXXX"
    target = f"/dashboard/repositories/{REPO}/subscribers/"

    client.post(target, {"digestWeekday": "4", "digestHour": "16", "digestTimezone": "America/New_York",
                         "slackWebhook": url})
    refused = client.post(target, {"digestWeekday": "4", "digestHour": "16", "digestTimezone": "UTC",
                                   "discordWebhook": "http://169.254.169.254/latest"}, follow=True)
    page = client.get(f"/dashboard/repositories/{REPO}/rules/")

    stored = redis_db.hgetall(keys.meta_repo_subscriptions(REPO))
    assert url not in str(stored) and subscription_settings.channel_url(REPO, "slack") == url
    assert subscription_settings.repo_settings(REPO)["digestTimezone"] == "America/New_York"
    assert b"not saved" in refused.content and "discordWebhook" not in stored
    assert page.status_code == 200 and b"Subscribers and channels" in page.content and url.encode() not in page.content
