"""Upvotes: one atomic step per click, a reader counts once, per-IP rate limit, form and fetch."""

import threading

import pytest

from changelog_site.kv import keys
from tests.engagement.public_helpers import BASE, BROWSER, browser, connected, published
from tests.factories import make_entry

pytestmark = pytest.mark.django_db


def hammer(requests):
    """Run ``requests`` (callables) at once on their own threads; returns their responses."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(index, request):
        barrier.wait()
        responses[index] = request()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def upvote_from(ip, pr_id, agent=BROWSER):
    client = browser(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    return lambda: client.post(f"{BASE}{pr_id}/upvote/", HTTP_ACCEPT="application/json")


def test_it_counts_one_visitor_once_under_100_concurrent_upvotes(redis_db, settings):
    settings.UPVOTE_RATE_LIMIT = 1000
    entry = published(connected(), pr_id=1)

    responses = hammer([upvote_from("203.0.113.7", 1) for _ in range(100)])

    assert {r.status_code for r in responses} == {200}
    assert sum(r.json()["counted"] for r in responses) == 1
    assert redis_db.get(keys.entry_upvotes(entry.id)) == "1"
    assert redis_db.scard(keys.entry_upvoters(entry.id)) == 1
    assert redis_db.type(keys.entry_upvoters(entry.id)) == "set"


def test_it_counts_100_visitors_100_times_under_concurrency(redis_db, settings):
    entry = published(connected(), pr_id=1)

    responses = hammer([upvote_from(f"198.51.100.{n}", 1) for n in range(100)])

    assert {r.status_code for r in responses} == {200}
    assert sorted(r.json()["count"] for r in responses) == list(range(1, 101))
    assert redis_db.get(keys.entry_upvotes(entry.id)) == "100"
    voters = redis_db.smembers(keys.entry_upvoters(entry.id))
    assert len(voters) == 100
    assert all(voter.startswith("u_") and "198.51" not in voter for voter in voters)


def test_it_answers_fetch_with_json(redis_db):
    entry = published(connected(), pr_id=1)

    response = upvote_from("192.0.2.1", 1)()

    assert response.status_code == 200
    assert response.json() == {"entryId": entry.id, "prId": 1, "count": 1, "counted": True}


def test_it_redirects_a_form_post_back_to_the_page(redis_db):
    published(connected(), pr_id=1)
    client = browser(REMOTE_ADDR="192.0.2.1")

    response = client.post(f"{BASE}1/upvote/", {"next": BASE + "?category=New"})

    assert response.status_code == 303
    assert response["Location"] == BASE + "?category=New#entry-1"
    assert ">1</span>" in client.get(BASE).content.decode()


def test_it_never_redirects_a_form_post_off_site(redis_db):
    published(connected(), pr_id=1)

    response = browser().post(f"{BASE}1/upvote/", {"next": "https://evil.example/phish"})

    assert response["Location"] == f"{BASE}1/#entry-1"


def test_it_rate_limits_upvotes_per_ip_with_retry_after(redis_db, settings):
    settings.UPVOTE_RATE_LIMIT = 3
    settings.UPVOTE_RATE_WINDOW = 3600  # no window rollover in the middle of the test
    user = connected()
    for n in range(1, 5):
        published(user, pr_id=n)

    codes = [upvote_from("192.0.2.9", n)().status_code for n in range(1, 5)]
    blocked = upvote_from("192.0.2.9", 4)()

    assert codes == [200, 200, 200, 429]
    assert blocked.json()["code"] == "rate_limited"
    assert int(blocked["Retry-After"]) >= 1
    assert upvote_from("192.0.2.10", 4)().status_code == 200


def test_it_refuses_upvotes_on_drafts_and_unknown_entries(redis_db):
    user = connected()
    draft = make_entry(user, pr_id=5)

    assert upvote_from("192.0.2.1", 5)().status_code == 404
    assert upvote_from("192.0.2.1", 999)().json()["code"] == "not_found"
    assert not redis_db.exists(keys.entry_upvotes(draft.id))


def test_it_refuses_cross_site_posts_and_bots(redis_db):
    entry = published(connected(), pr_id=1)
    cross = browser().post(f"{BASE}1/upvote/", HTTP_ACCEPT="application/json", HTTP_SEC_FETCH_SITE="cross-site")
    bot = upvote_from("192.0.2.1", 1, agent="Googlebot/2.1 (+http://www.google.com/bot.html)")()

    assert cross.status_code == 403 and bot.status_code == 403
    assert not redis_db.exists(keys.entry_upvotes(entry.id))


def test_it_allows_only_post(redis_db):
    published(connected(), pr_id=1)

    assert browser().get(f"{BASE}1/upvote/").status_code == 405
