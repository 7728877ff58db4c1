"""Page views: every entry view counts, uniques once a day, bots never, DNT/GPC without a visitor record."""

from datetime import datetime, timezone

import pytest

from changelog_site.kv import keys
from engagement import privacy
from tests.engagement.public_helpers import BASE, BROWSER, browser, connected, published

pytestmark = pytest.mark.django_db


def today():
    return datetime.now(timezone.utc).date().isoformat()


def visitor_keys(redis_db):
    return [key for key in redis_db.keys("analytics:visitor:*")]


def test_it_counts_views_and_unique_visitors(redis_db):
    entry = published(connected(), pr_id=1)
    alice = browser(REMOTE_ADDR="192.0.2.1")
    bob = browser(REMOTE_ADDR="192.0.2.2")

    for client in (alice, alice, alice, bob):
        assert client.get(f"{BASE}1/").status_code == 200

    record = redis_db.hgetall(keys.page_views(entry.id, today()))
    assert record == {"entryId": entry.id, "date": today(), "views": "4", "uniqueVisitors": "2"}
    assert redis_db.zrange(keys.idx_entry_view_days(entry.id), 0, -1) == [today()]


def test_it_keeps_a_visitor_record_without_personal_data(redis_db):
    entry = published(connected(), pr_id=1)
    browser(REMOTE_ADDR="192.0.2.77").get(f"{BASE}1/")
    browser(REMOTE_ADDR="192.0.2.77").get(f"{BASE}1/")

    [key] = visitor_keys(redis_db)
    record = redis_db.hgetall(key)
    assert record["pageViews"] == "2"
    assert record["entries"] == f'["{entry.id}"]'
    stored = " ".join(record.values()) + key
    assert "192.0.2.77" not in stored and "Firefox" not in stored
    assert 0 < redis_db.ttl(key) <= 90 * 24 * 3600


def test_it_rotates_the_visitor_id_daily(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_USER_AGENT=BROWSER)
    monday = privacy.visitor_id(request, day=datetime(2026, 3, 9).date())
    tuesday = privacy.visitor_id(request, day=datetime(2026, 3, 10).date())

    assert monday != tuesday
    assert monday == privacy.visitor_id(request, day=datetime(2026, 3, 9).date())


@pytest.mark.parametrize("header", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
def test_it_honours_do_not_track_and_global_privacy_control(redis_db, header):
    entry = published(connected(), pr_id=1)

    browser(REMOTE_ADDR="192.0.2.1", **header).get(f"{BASE}1/")

    assert visitor_keys(redis_db) == []
    assert not redis_db.exists(keys.meta_view_visitors(entry.id, today()))
    assert redis_db.hgetall(keys.page_views(entry.id, today()))["uniqueVisitors"] == "0"
    assert redis_db.hgetall(keys.page_views(entry.id, today()))["views"] == "1"


@pytest.mark.parametrize("agent", ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                                   "curl/8.5.0", "facebookexternalhit/1.1", ""])
def test_it_does_not_count_bots(redis_db, agent):
    entry = published(connected(), pr_id=1)

    response = browser(HTTP_USER_AGENT=agent).get(f"{BASE}1/")

    assert response.status_code == 200
    assert not redis_db.exists(keys.page_views(entry.id, today()))
    assert visitor_keys(redis_db) == []


def test_it_counts_a_revalidated_view_answered_with_304(redis_db):
    entry = published(connected(), pr_id=1)
    client = browser()
    first = client.get(f"{BASE}1/")

    assert client.get(f"{BASE}1/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert redis_db.hget(keys.page_views(entry.id, today()), "views") == "2"


def test_it_does_not_count_the_changelog_listing_as_entry_views(redis_db):
    entry = published(connected(), pr_id=1)

    browser().get(BASE)

    assert not redis_db.exists(keys.page_views(entry.id, today()))
