"""The public changelog page and entry permalinks: only published entries, caching, 404s."""

import pytest

from engagement import services
from repos.models import Repo
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published
from tests.factories import make_entry, make_repo, make_user

pytestmark = pytest.mark.django_db


def test_it_shows_published_entries_newest_first_grouped_by_month(redis_db):
    user = connected()
    published(user, pr_id=1, title="February thing", mergedAt="2026-02-20T10:00:00Z")
    published(user, pr_id=2, title="Early March thing", mergedAt="2026-03-02T10:00:00Z")
    published(user, pr_id=3, title="Late March thing", mergedAt="2026-03-25T10:00:00Z")

    html = browser().get(BASE).content.decode()

    assert html.index("Late March thing") < html.index("Early March thing") < html.index("February thing")
    assert html.index("March 2026") < html.index("Late March thing") < html.index("February 2026")


def test_it_never_shows_drafts_of_the_same_repository(redis_db):
    user = connected()
    published(user, pr_id=1, title="Shipped feature")
    draft = make_entry(user, pr_id=2, title="Secret unreleased thing", body="embargoed")
    client = browser()

    page = client.get(BASE).content.decode()
    entry_page = client.get(f"{BASE}{draft.prId}/")
    feeds = client.get(BASE + "rss.xml").content.decode() + client.get(BASE + "atom.xml").content.decode()
    sitemap = client.get(BASE + "sitemap.xml").content.decode()

    assert "Shipped feature" in page and "Shipped feature" in feeds
    assert "Secret unreleased thing" not in page + feeds + sitemap
    assert "embargoed" not in page + feeds
    assert f"/{draft.prId}/" not in sitemap
    assert entry_page.status_code == 404


def test_it_hides_an_entry_once_unpublished(redis_db):
    user = connected()
    entry = published(user, pr_id=7, title="Rolled back feature")
    client = browser()
    assert "Rolled back feature" in client.get(BASE).content.decode()

    entry.status = "draft"
    entry.publishedAt = None
    entry.save()

    assert "Rolled back feature" not in client.get(BASE).content.decode()
    assert "Rolled back feature" not in client.get(BASE + "rss.xml").content.decode()
    assert client.get(f"{BASE}7/").status_code == 404


def test_it_answers_304_on_a_matching_etag(redis_db):
    published(connected(), pr_id=1)
    client = browser()
    first = client.get(BASE)

    again = client.get(BASE, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_it_answers_304_on_a_matching_etag_for_an_entry_page(redis_db):
    entry = published(connected(), pr_id=1)
    client = browser()
    first = client.get(f"{BASE}{entry.prId}/")

    assert client.get(f"{BASE}{entry.prId}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_it_changes_the_etag_when_an_entry_is_edited(redis_db):
    entry = published(connected(), pr_id=1, title="Old title")
    client = browser()
    first = client.get(BASE)

    entry.title = "New title"
    entry.save()
    second = client.get(BASE, HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert "New title" in second.content.decode()
    assert second["ETag"] != first["ETag"]


def test_it_changes_the_etag_when_an_upvote_changes_a_count(redis_db):
    entry = published(connected(), pr_id=1)
    client = browser()
    first = client.get(BASE)

    client.post(f"{BASE}{entry.prId}/upvote/", HTTP_ACCEPT="application/json")

    assert client.get(BASE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_it_serves_new_content_after_changelog_invalidate(redis_db):
    published(connected(), pr_id=1)
    client = browser()
    first = client.get(BASE)

    services.changelog_invalidate(repo_id=REPO)

    assert client.get(BASE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_it_gives_a_friendly_404_for_an_unknown_repository(redis_db):
    response = browser().get("/changelog/nobody/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "no public changelog here" in response.content.decode()


def test_it_gives_a_404_once_the_repository_is_disconnected(redis_db):
    user = connected()
    published(user, pr_id=1)
    client = browser()
    assert client.get(BASE).status_code == 200

    Repo.get(user.id, REPO).delete()

    assert client.get(BASE).status_code == 404
    assert client.get(f"{BASE}1/").status_code == 404
    assert client.get(BASE + "rss.xml").status_code == 404


def test_it_merges_users_who_connected_the_same_repository_deduplicated_by_pr(redis_db):
    alice, bob = make_user(), make_user()
    make_repo(alice)
    make_repo(bob)
    published(alice, pr_id=5, title="Copy from Alice", publishedAt="2026-03-10T10:00:00Z")
    published(bob, pr_id=5, title="Newer copy from Bob", publishedAt="2026-03-11T10:00:00Z")
    published(alice, pr_id=6, title="Only Alice")

    html = browser().get(BASE).content.decode()

    assert "Newer copy from Bob" in html and "Only Alice" in html
    assert "Copy from Alice" not in html
    assert html.count('id="entry-5"') == 1


def test_it_paginates_with_a_cursor(redis_db):
    user = connected()
    for n in range(1, 26):
        published(user, pr_id=n, title=f"Entry number {n:02d}", mergedAt=f"2026-03-{n:02d}T10:00:00Z")
    client = browser()

    first = client.get(BASE)
    cursor = first.context["next_cursor"]
    second = client.get(BASE, {"cursor": cursor})

    first_html, second_html = first.content.decode(), second.content.decode()
    assert "Entry number 25" in first_html and "Entry number 06" in first_html
    assert "Entry number 05" not in first_html
    assert "Entry number 05" in second_html and "Entry number 01" in second_html
    assert "Entry number 06" not in second_html
    assert second.context["next_cursor"] is None


def test_it_filters_by_category(redis_db):
    user = connected()
    published(user, pr_id=1, title="A shiny feature", category="New")
    published(user, pr_id=2, title="A squashed bug", category="Fixed")

    html = browser().get(BASE, {"category": "Fixed"}).content.decode()

    assert "A squashed bug" in html and "A shiny feature" not in html


def test_it_refuses_an_unknown_category_or_cursor_with_a_400_page(redis_db):
    published(connected(), pr_id=1)
    client = browser()

    assert client.get(BASE, {"category": "<script>"}).status_code == 400
    assert client.get(BASE, {"cursor": "garbage!!"}).status_code == 400


def test_it_shows_the_ai_rewrite_when_there_is_one_and_the_body_otherwise(redis_db):
    user = connected()
    published(user, pr_id=1, body="Raw PR body one", aiRewrite="Polished rewrite one")
    published(user, pr_id=2, body="Edited body two", aiRewrite=None)

    html = browser().get(BASE).content.decode()

    assert "Polished rewrite one" in html and "Raw PR body one" not in html
    assert "Edited body two" in html


def test_it_shows_the_original_text_when_the_owner_chose_it(redis_db):
    user = connected()
    published(user, pr_id=1, body="The owner's own words", aiRewrite="A rewrite nobody wanted", textSource="original")

    html = browser().get(BASE).content.decode()

    assert "The owner's own words" in html and "A rewrite nobody wanted" not in html


def test_it_renders_open_graph_twitter_and_canonical_tags_on_an_entry(redis_db):
    entry = published(connected(), pr_id=42, title="Dark mode", body="Easy on the eyes at night.")

    html = browser().get(f"{BASE}42/").content.decode()

    assert f'<link rel="canonical" href="http://testserver{BASE}42/">' in html
    assert '<meta property="og:title" content="Dark mode">' in html
    assert '<meta property="og:description" content="Easy on the eyes at night.">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert f'href="{entry.prUrl}"' in html
    assert f'<link rel="alternate" type="application/rss+xml" title="octo-org/octo-repo changelog (RSS)" href="http://testserver{BASE}rss.xml">' in html


def test_it_applies_the_repository_branding(redis_db):
    user = connected()
    published(user, pr_id=1)
    services.branding_update(user_id=user.id, repo_id=REPO, name="Octo App",
                             logo_url="https://cdn.example.com/logo.png", accent_color="#ff5500")

    html = browser().get(BASE).content.decode()

    assert "What's new in Octo App" in html
    assert '<img class="brand-logo" src="https://cdn.example.com/logo.png"' in html
    assert "--accent:#ff5500" in html


def test_it_refuses_branding_that_could_inject_markup(redis_db):
    user = connected()

    with pytest.raises(services.ValidationError) as error:
        services.branding_update(user_id=user.id, repo_id=REPO, logo_url="javascript:alert(1)",
                                 accent_color="red;}</style><script>")

    assert set(error.value.errors) == {"logoUrl", "accentColor"}


def test_it_lets_only_a_user_who_connected_the_repository_brand_it(redis_db):
    connected()
    stranger = make_user()

    with pytest.raises(services.NotFound):
        services.branding_update(user_id=stranger.id, repo_id=REPO, name="Hijacked")


def test_it_serves_pages_without_scanning_the_keyspace(redis_db, record_commands):
    entry = published(connected(), pr_id=1)
    client = browser()

    with record_commands() as recorder:
        client.get(BASE)
        client.get(f"{BASE}{entry.prId}/")
        client.post(f"{BASE}{entry.prId}/upvote/", HTTP_ACCEPT="application/json")
        client.get(BASE + "rss.xml")

    assert recorder.commands
    assert not recorder.names() & {"SCAN", "KEYS"}


def test_it_serves_a_sitemap_with_absolute_urls(redis_db):
    published(connected(), pr_id=3)

    xml = browser().get(BASE + "sitemap.xml").content.decode()

    assert f"<loc>http://testserver{BASE}</loc>" in xml
    assert f"<loc>http://testserver{BASE}3/</loc>" in xml


def test_it_fills_live_upvote_counts_into_the_cached_page(redis_db):
    user = connected()
    published(user, pr_id=1)
    published(user, pr_id=2)
    client = browser(REMOTE_ADDR="192.0.2.1")
    client.get(BASE)

    client.post(f"{BASE}2/upvote/", HTTP_ACCEPT="application/json")
    html = client.get(BASE).content.decode()

    assert "UPV" not in html
    assert html.count('<span class="count" data-count>1</span>') == 1
    assert html.count('<span class="count" data-count>0</span>') == 1


def test_it_answers_head_requests_without_counting_a_view(redis_db):
    entry = published(connected(), pr_id=1)

    response = browser().head(f"{BASE}1/")

    assert response.status_code == 200
    assert not redis_db.keys(f"analytics:views:{entry.id}:*")
