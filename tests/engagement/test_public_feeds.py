"""RSS 2.0 and Atom feeds parse with a real feed parser and carry the required elements."""

import feedparser
import pytest

from tests.engagement.public_helpers import BASE, browser, connected, published
from tests.factories import make_entry

pytestmark = pytest.mark.django_db


def feed(name):
    response = browser().get(BASE + name)
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


def seed():
    user = connected()
    published(user, pr_id=11, title="Faster search", category="Improved", mergedAt="2026-03-05T10:00:00Z",
              publishedAt="2026-03-06T09:00:00Z")
    published(user, pr_id=12, title="Dark mode", category="New", mergedAt="2026-03-08T10:00:00Z",
              publishedAt="2026-03-09T09:00:00Z")
    make_entry(user, pr_id=13, title="Unreleased draft")


def test_it_serves_valid_rss_with_required_elements(redis_db):
    seed()

    response, parsed = feed("rss.xml")

    assert response["Content-Type"].startswith("application/rss+xml")
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "octo-org/octo-repo changelog"
    assert parsed.feed.link == f"http://testserver{BASE}"
    assert parsed.feed.description
    assert [item.title for item in parsed.entries] == ["Dark mode", "Faster search"]
    for item in parsed.entries:
        assert item.link.startswith(f"http://testserver{BASE}")
        assert item.id == item.link
        assert item.published_parsed
        assert item.summary


def test_it_serves_valid_atom_with_required_elements(redis_db):
    seed()

    response, parsed = feed("atom.xml")

    assert response["Content-Type"].startswith("application/atom+xml")
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title and parsed.feed.id and parsed.feed.updated_parsed
    assert any(link.rel == "self" and link.href == f"http://testserver{BASE}atom.xml" for link in parsed.feed.links)
    assert [item.title for item in parsed.entries] == ["Dark mode", "Faster search"]
    for item in parsed.entries:
        assert item.id.startswith("http://") and item.link.startswith(f"http://testserver{BASE}")
        assert item.updated_parsed
        assert item.tags[0].term in ("New", "Improved")


def test_it_leaves_drafts_out_of_both_feeds(redis_db):
    seed()

    titles = [item.title for name in ("rss.xml", "atom.xml") for item in feed(name)[1].entries]

    assert "Unreleased draft" not in titles


def test_it_answers_404_for_the_feed_of_an_unknown_repository(redis_db):
    assert browser().get("/changelog/nobody/nothing/rss.xml").status_code == 404
    assert browser().get("/changelog/nobody/nothing/atom.xml").status_code == 404
