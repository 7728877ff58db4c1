"""The public read path: round trips per request, a cache that only published changes
retire, a sitemap from ids and timestamps, no cookies, validators and Cache-Control."""

import re
from contextlib import contextmanager

import pytest

from engagement import page_cache, public_pages
from engagement.sitemaps import ChangelogSitemap
from entries.models import Entry
from entries.publishing import entry_publish, entry_update
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published
from tests.factories import make_entry, make_repo

pytestmark = pytest.mark.django_db

FEED_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"


@pytest.fixture
def round_trips(redis_writes):
    """``with round_trips() as sent:`` what redis-py writes to any Redis socket (the data's or the
    cache's) inside the block: a command, a pipeline or a script call is one round trip."""
    @contextmanager
    def counting():
        start, sent = len(redis_writes), []
        try:
            yield sent
        finally:
            sent.extend(redis_writes[start:])

    return counting


def views_of(redis_db, entry):
    return sum(int(redis_db.hget(key, "views")) for key in redis_db.keys(f"analytics:views:{entry.id}:*"))


@pytest.mark.parametrize("path", ["", "?category=New", "rss.xml", "atom.xml", "sitemap.xml"])
def test_it_serves_a_public_page_in_at_most_two_round_trips(redis_db, round_trips, path):
    user = connected()
    for n in range(1, 26):
        published(user, pr_id=n)
    client = browser()
    assert client.get(BASE + path).status_code == 200  # renders and stores it

    with round_trips() as sent:
        response = client.get(BASE + path)

    assert response.status_code == 200
    assert len(sent) <= 2


def test_it_counts_an_entry_view_within_the_same_two_round_trips(redis_db, round_trips):
    entry = published(connected(), pr_id=1)
    client = browser(REMOTE_ADDR="192.0.2.10")
    client.get(f"{BASE}1/")

    with round_trips() as sent:
        response = client.get(f"{BASE}1/")

    assert response.status_code == 200
    assert len(sent) <= 2
    assert views_of(redis_db, entry) == 2


@pytest.mark.parametrize("forget_hints", [True, False])
def test_it_serves_a_page_another_process_rendered(redis_db, round_trips, monkeypatch, forget_hints):
    entry = published(connected(), pr_id=1, title="Rendered elsewhere")
    client = browser(REMOTE_ADDR="192.0.2.20")
    client.get(f"{BASE}1/")
    monkeypatch.setattr(page_cache, "_templates", type(page_cache._templates)())
    if forget_hints:
        monkeypatch.setattr(page_cache, "_hints", {})

    with round_trips() as sent:
        response = client.get(f"{BASE}1/")

    html = response.content.decode()
    assert response.status_code == 200 and response.context is None
    assert "Rendered elsewhere" in html and '<span class="count" data-count>0</span>' in html
    assert not re.search(r"@[0-9a-f]{16}:", html)
    assert len(sent) <= 2
    assert views_of(redis_db, entry) == 2


def test_it_keeps_the_public_pages_cached_when_a_draft_is_saved(redis_db):
    user = connected()
    published(user, pr_id=1, title="Shipped")
    draft = make_entry(user, pr_id=2, title="Work in progress")
    client = browser()
    first = client.get(BASE)
    version = redis_db.get(f"cache:changelog-version:{REPO}")

    draft.title = "Still in progress"
    draft.save()
    entry_update(user_id=user.id, entry_id=draft.id, changes={"body": "More to come."})
    again = client.get(BASE)

    assert redis_db.get(f"cache:changelog-version:{REPO}") == version
    assert again.context is None  # served from the page cache: no template rendered
    assert again["ETag"] == first["ETag"]


def test_it_retires_the_cached_pages_in_the_same_transaction_as_a_publish(redis_db):
    user = connected()
    published(user, pr_id=1, title="Shipped")
    draft = make_entry(user, pr_id=2, title="Now public")
    client = browser()
    client.get(BASE)
    version = redis_db.get(f"cache:changelog-version:{REPO}")

    entry_publish(user_id=user.id, entry_id=draft.id)

    assert redis_db.get(f"cache:changelog-version:{REPO}") != version
    assert "Now public" in client.get(BASE).content.decode()


def test_it_leaves_the_version_alone_when_an_edit_changes_nothing_readers_see(redis_db):
    user = connected()
    entry = published(user, pr_id=1, body="The owner's words", aiRewrite=None)
    version = redis_db.get(f"cache:changelog-version:{REPO}")

    entry_update(user_id=user.id, entry_id=entry.id, changes={"textSource": "original"})

    assert redis_db.get(f"cache:changelog-version:{REPO}") == version


def test_it_builds_the_sitemap_from_ids_and_timestamps_without_rendering_markdown(redis_db, monkeypatch):
    user = connected()
    for n in range(1, 6):
        published(user, pr_id=n)

    def forbidden(*args, **kwargs):
        raise AssertionError("the sitemap must not load entries or render markdown")

    monkeypatch.setattr(public_pages, "render_markdown", forbidden)
    monkeypatch.setattr(public_pages, "plain_text", forbidden)
    monkeypatch.setattr(Entry, "get_many_by_keys", forbidden)
    response = browser().get(BASE + "sitemap.xml")

    xml = response.content.decode()
    assert response.status_code == 200
    assert all(f"<loc>http://testserver{BASE}{n}/</loc>" in xml for n in range(1, 6))
    assert "<lastmod>2026-03-" in xml


def test_it_splits_a_large_sitemap_into_pages_behind_a_sitemap_index(redis_db, monkeypatch):
    user = connected()
    for n in range(1, 6):
        published(user, pr_id=n, mergedAt=f"2026-03-{n:02d}T10:00:00Z")
    monkeypatch.setattr(ChangelogSitemap, "limit", 2)
    client = browser()

    index = client.get(BASE + "sitemap.xml").content.decode()
    second = client.get(BASE + "sitemap.xml", {"p": "2"}).content.decode()

    assert "<sitemapindex" in index
    assert re.findall(r"<loc>(.*?)</loc>", index) == [f"http://testserver{BASE}sitemap.xml?p={n}" for n in (1, 2, 3)]
    assert re.findall(r"<loc>(.*?)</loc>", second) == [f"http://testserver{BASE}4/", f"http://testserver{BASE}3/"]
    assert client.get(BASE + "sitemap.xml", {"p": "4"}).status_code == 404


def test_public_responses_set_no_cookie_even_for_a_signed_in_reader(signed_in):
    client, user = signed_in
    make_repo(user, name=REPO)
    published(user, pr_id=1)
    client.defaults["HTTP_USER_AGENT"] = browser().defaults["HTTP_USER_AGENT"]
    paths = ["", "1/", "rss.xml", "atom.xml", "sitemap.xml", "upvoted/?pr=1"]

    responses = [client.get(BASE + path) for path in paths]
    responses += [client.get("/healthz"), client.post(f"{BASE}1/upvote/", HTTP_ACCEPT="application/json")]

    assert [response.status_code for response in responses] == [200] * 8
    assert [response.cookies for response in responses] == [{}] * 8
    assert not any("Cookie" in response.get("Vary", "") for response in responses)


@pytest.mark.parametrize("path, cache_control", [
    ("", "public, no-cache"), ("1/", "public, no-cache"), ("rss.xml", FEED_CACHE_CONTROL),
    ("atom.xml", FEED_CACHE_CONTROL), ("sitemap.xml", "public, max-age=3600"),
])
def test_it_sends_validators_the_documented_cache_control_and_304s(redis_db, path, cache_control):
    published(connected(), pr_id=1)
    client = browser()

    first = client.get(BASE + path)
    again = client.get(BASE + path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["Cache-Control"] == cache_control
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    assert again.status_code == 304 and again.content == b""
    assert again["Cache-Control"] == cache_control


def test_it_gives_every_response_of_a_cached_page_its_own_csp_nonce(redis_db):
    published(connected(), pr_id=1)
    client = browser()

    nonces = []
    for _ in range(2):
        response = client.get(BASE)
        style_src = response["Content-Security-Policy"].split("style-src ")[1].split(";")[0]
        [nonce] = re.findall(r"'nonce-([^']+)'", style_src)
        assert f'nonce="{nonce}"' in response.content.decode()
        nonces.append(nonce)

    assert nonces[0] != nonces[1]
