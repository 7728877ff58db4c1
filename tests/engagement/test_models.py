import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import time_machine

from changelog_site.kv.records import ValidationError
from engagement.models import EntryUpvotes, PageViews, Subscriber, Visitor
from tests.factories import make_subscriber


def test_it_stores_a_subscriber_as_the_documents_json(redis_db):
    make_subscriber(repo_id="acme/api", email="reader@example.com", subscribedAt="2026-03-09T12:00:00Z")

    raw = json.loads(redis_db.get("subscriber:acme/api:reader@example.com"))

    assert raw == {"email": "reader@example.com", "repoId": "acme/api", "subscribedAt": "2026-03-09T12:00:00Z",
                   "confirmed": False, "confirmToken": "tok_reader",
                   "preferences": {"digest": True, "majorReleases": True, "allUpdates": False}}


def test_it_lists_a_repos_subscribers_and_unindexes_on_delete(redis_db):
    first = make_subscriber(email="a@example.com")
    make_subscriber(email="b@example.com")
    make_subscriber(repo_id="acme/other", email="c@example.com")

    first.delete()

    assert [s.email for s in Subscriber.for_repo("octo-org/octo-repo")] == ["b@example.com"]


def test_it_rejects_a_subscriber_with_bad_preferences(redis_db):
    with pytest.raises(ValidationError):
        make_subscriber(preferences={"digest": "weekly", "majorReleases": True, "allUpdates": True})
    assert redis_db.dbsize() == 0


def test_it_counts_views_and_unique_visitors_per_day(redis_db):
    views = PageViews("ent_1")
    day = date(2026, 3, 9)

    views.record(day, "v1")
    views.record(day, "v1")
    views.record(day, "v2")
    views.record(day)

    assert redis_db.hgetall("analytics:views:ent_1:2026-03-09") == {
        "entryId": "ent_1", "date": "2026-03-09", "views": "4", "uniqueVisitors": "2"}
    assert views.day(day) == {"entryId": "ent_1", "date": "2026-03-09", "views": 4, "uniqueVisitors": 2}
    assert 0 < redis_db.ttl("meta:view-visitors:ent_1:2026-03-09") <= 2 * 24 * 3600


def test_it_lists_the_days_an_entry_was_viewed(redis_db):
    views = PageViews("ent_1")
    for day in (date(2026, 3, 1), date(2026, 3, 5), date(2026, 2, 27)):
        views.record(day, "v")

    listed = views.days(start=date(2026, 3, 1), end=date(2026, 3, 31))

    assert [d["date"] for d in listed] == ["2026-03-01", "2026-03-05"]


def test_it_reads_the_documents_plain_json_page_view(redis_db):
    redis_db.set("analytics:views:ent_1:2026-03-09", json.dumps(
        {"entryId": "ent_1", "date": "2026-03-09", "views": 7, "uniqueVisitors": 3, "visitorIds": ["a", "b", "c"]}))

    assert PageViews("ent_1").day(date(2026, 3, 9))["views"] == 7


def test_it_keeps_a_bounded_visitor_record(redis_db):
    visitor = Visitor("vis_1")
    for n in range(60):
        visitor.touch(f"ent_{n}", fingerprint="hash")
    visitor.touch("ent_59")

    record = visitor.get()

    assert record["pageViews"] == 61
    assert record["entries"][0] == "ent_59" and len(record["entries"]) == 50
    assert record["firstVisit"] <= record["lastVisit"]
    assert redis_db.type("analytics:visitor:vis_1") == "hash"
    assert redis_db.ttl("analytics:visitor:vis_1") > 0


def test_it_renews_a_visitors_expiry_on_the_first_visit_of_each_day(redis_db):
    key = "analytics:visitor:vis_3"
    with time_machine.travel("2026-03-09 10:00:00Z", tick=False):
        Visitor("vis_3").touch("ent_1")
        redis_db.expire(key, 100)
        Visitor("vis_3").touch("ent_2")
        assert redis_db.ttl(key) <= 100

    with time_machine.travel("2026-03-10 08:00:00Z", tick=False):
        Visitor("vis_3").touch("ent_1")

    assert redis_db.ttl(key) > 100
    assert Visitor("vis_3").get()["entries"] == ["ent_1", "ent_2"]


def test_it_reads_the_documents_plain_json_visitor(redis_db):
    redis_db.set("analytics:visitor:vis_2", json.dumps({"id": "vis_2", "fingerprint": "f", "firstVisit": "2026-03-01",
                                                         "lastVisit": "2026-03-02", "pageViews": 3, "entries": ["e"]}))

    assert Visitor("vis_2").get()["entries"] == ["e"]


def test_it_counts_one_upvote_per_visitor_under_concurrency(redis_db):
    votes = EntryUpvotes("ent_1")

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda _: votes.upvote("same-visitor"), range(100)))
        list(pool.map(lambda n: votes.upvote(f"visitor-{n}"), range(100)))

    assert redis_db.get("analytics:upvotes:ent_1") == "101"
    assert redis_db.scard("analytics:upvotes:ent_1:voters") == 101
