"""The weekly digest: due on the owner's weekday and hour in the owner's time zone, sent once per
subscriber however often the beat runs, nothing without new entries, and past a refused address."""

from datetime import datetime, timezone

import pytest
import time_machine

from changelog_site.kv import keys
from engagement import subscription_settings
from engagement.delivery import digest_send
from engagement.tasks import digests_due_task
from tests.engagement.public_helpers import published
from tests.engagement.subscriber_helpers import REPO, connected, smtp_sink, text_of  # noqa: F401
from tests.factories import make_repo, make_subscriber

pytestmark = pytest.mark.django_db

ALL = {"digest": True, "majorReleases": True, "allUpdates": True}
DIGEST_ONLY = {"digest": True, "majorReleases": False, "allUpdates": False}
# Monday 16 March 2026, 09:05 in Berlin (UTC+1 until the end of March)
DUE = datetime(2026, 3, 16, 8, 5, tzinfo=timezone.utc)


@pytest.fixture
def weekly(smtp_sink):
    owner = connected()
    subscription_settings.repo_settings_update(user_id=owner.id, repo_id=REPO, weekday=0, hour=9,
                                               timezone="Europe/Berlin")
    return owner


def test_it_sends_the_weekly_digest_once_when_the_beat_runs_twice(weekly, smtp_sink, redis_db):
    published(weekly, pr_id=1, title="Dark mode", publishedAt="2026-03-12T10:00:00Z")
    published(weekly, pr_id=2, title="Faster search", publishedAt="2026-03-14T10:00:00Z")
    published(weekly, pr_id=3, title="Old news", publishedAt="2026-02-01T10:00:00Z")
    make_subscriber(email="ada@example.com", confirmed=True, preferences=DIGEST_ONLY)
    make_subscriber(email="bob@example.com", confirmed=True, preferences=ALL)
    make_subscriber(email="pending@example.com", confirmed=False, preferences=ALL)
    make_subscriber(email="instant@example.com", confirmed=True,
                    preferences={"digest": False, "majorReleases": True, "allUpdates": True})

    with time_machine.travel(DUE, tick=False):
        assert digests_due_task() == [REPO]
        assert digests_due_task() == []

    assert sorted(message["To"] for message in smtp_sink.messages) == ["ada@example.com", "bob@example.com"]
    digest = smtp_sink.to("ada@example.com")[0]
    assert digest["Subject"] == f"{REPO}: 2 updates this week" and digest["List-Unsubscribe"]
    assert "Dark mode" in text_of(digest) and "Faster search" in text_of(digest) and "Old news" not in text_of(digest)
    state = redis_db.hgetall(keys.meta_subscriber(REPO, "ada@example.com"))
    assert state["lastDigestAt"] == "2026-03-16T08:05:00Z"
    assert subscription_settings.repo_settings(REPO)["lastDigestPeriod"] == "2026-W12"


def test_it_is_not_due_before_the_hour_or_on_another_day_in_the_owners_time_zone(weekly, smtp_sink):
    published(weekly, pr_id=1, publishedAt="2026-03-12T10:00:00Z")
    make_subscriber(email="ada@example.com", confirmed=True, preferences=DIGEST_ONLY)

    for moment in (datetime(2026, 3, 16, 7, 55, tzinfo=timezone.utc),   # 08:55 in Berlin
                   datetime(2026, 3, 15, 23, 30, tzinfo=timezone.utc),  # Monday 00:30 in Berlin, before 09:00
                   datetime(2026, 3, 17, 9, 0, tzinfo=timezone.utc)):   # Tuesday
        with time_machine.travel(moment, tick=False):
            assert digests_due_task() == []

    assert smtp_sink.messages == []


def test_it_sends_nothing_when_nothing_was_published_since_the_last_digest(weekly, smtp_sink):
    published(weekly, pr_id=1, publishedAt="2026-03-12T10:00:00Z")
    make_subscriber(email="ada@example.com", confirmed=True, preferences=DIGEST_ONLY)
    with time_machine.travel(DUE, tick=False):
        digests_due_task()
    smtp_sink.clear()

    with time_machine.travel(datetime(2026, 3, 23, 8, 5, tzinfo=timezone.utc), tick=False):
        assert digests_due_task() == [REPO]

    assert smtp_sink.messages == []


def test_it_goes_on_past_a_refused_address_and_records_it_on_the_subscriber(weekly, smtp_sink, redis_db):
    published(weekly, pr_id=1, publishedAt="2026-03-12T10:00:00Z")
    for name in ("ada", "bad", "cyd"):
        make_subscriber(email=f"{name}@example.com", confirmed=True, preferences=DIGEST_ONLY)
    smtp_sink.refused.add("bad@example.com")

    result = digest_send(repo_id=REPO, period="2026-W12", cutoff="2026-03-16T08:05:00Z")
    again = digest_send(repo_id=REPO, period="2026-W12", cutoff="2026-03-16T08:05:00Z")

    assert result == {"sent": 2, "failed": 1, "retry": False} and again["sent"] == again["failed"] == 0
    assert sorted(message["To"] for message in smtp_sink.messages) == ["ada@example.com", "cyd@example.com"]
    state = redis_db.hgetall(keys.meta_subscriber(REPO, "bad@example.com"))
    assert state["failures"] == "1" and state["lastError"].startswith("550")


def test_it_queues_the_digest_now_from_the_api(smtp_sink, account, client):
    record, _, auth = account()
    make_repo(record, name=REPO)
    published(record, pr_id=1, publishedAt="2026-03-12T10:00:00Z")
    make_subscriber(email="ada@example.com", confirmed=True, preferences=DIGEST_ONLY)

    with time_machine.travel(datetime(2026, 3, 13, 12, 0, tzinfo=timezone.utc), tick=False):
        answer = client.post(f"/api/repos/{REPO}/digest/", **auth)

    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    assert [message["To"] for message in smtp_sink.messages] == ["ada@example.com"]
