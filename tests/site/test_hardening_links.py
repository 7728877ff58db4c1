"""URLs from data and ``next`` parameters: only https links are rendered,
and redirects stay on this host."""

import json

import pytest

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.links import safe_url
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published
from tests.factories import make_entry

pytestmark = pytest.mark.django_db

HOSTILE = ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>x</script>",
           "http://evil.example/pull/1", "//evil.example/pull/1", "vbscript:msgbox(1)"]


@pytest.mark.parametrize("url", HOSTILE)
def test_it_refuses_every_scheme_but_https(url):
    assert safe_url(url) == ""


def test_it_keeps_https_links():
    assert safe_url("https://github.com/octo-org/octo-repo/pull/7") == "https://github.com/octo-org/octo-repo/pull/7"


def test_it_allows_http_on_the_configured_github_enterprise_host_only(settings):
    settings.GITHUB_API_URL = "http://ghe.corp.example/api/v3"

    assert safe_url("http://ghe.corp.example/acme/api/pull/3") == "http://ghe.corp.example/acme/api/pull/3"
    assert safe_url("http://other.example/acme/api/pull/3") == ""


@pytest.mark.parametrize("page", ["/dashboard/published/", "entry"])
def test_it_renders_no_link_for_a_javascript_pr_url_on_the_dashboard(signed_in, page):
    client, record = signed_in
    entry = make_entry(record, status="published", publishedAt="2026-03-10T10:00:00Z",
                       prUrl="javascript:alert(document.cookie)")

    response = client.get(f"/dashboard/entries/{entry.id}/" if page == "entry" else page)

    assert response.status_code == 200
    assert b"javascript:" not in response.content and f"#{entry.prId}".encode() in response.content


def test_it_links_an_https_pr_url_on_the_drafts_page(signed_in):
    client, record = signed_in
    entry = make_entry(record)

    response = client.get("/dashboard/drafts/")

    assert f'href="{entry.prUrl}"'.encode() in response.content


def test_it_renders_no_link_or_image_for_hostile_urls_on_the_public_changelog():
    owner = connected()
    published(owner, pr_id=1, prUrl="http://evil.example/pull/1")
    kv.get_client().set(keys.meta_repo_branding(REPO), json.dumps({"name": "Octo", "logoUrl": "javascript:alert(1)"}))

    changelog = browser().get(BASE)
    entry_page = browser().get(f"{BASE}1/")

    for response in (changelog, entry_page):
        assert response.status_code == 200
        assert b"evil.example" not in response.content and b"javascript:" not in response.content


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/x", "/\\evil.example/x",
                                    "http://testserver.evil.example/"])
def test_it_does_not_redirect_off_site_after_publishing(signed_in, target):
    client, record = signed_in
    entry = make_entry(record)

    response = client.post(f"/dashboard/entries/{entry.id}/publish/", {"next": target})

    assert response.status_code == 302 and response["Location"] == f"/dashboard/entries/{entry.id}/"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/phish"])
def test_it_does_not_redirect_off_site_after_a_bulk_action(signed_in, target):
    client, record = signed_in
    entry = make_entry(record)

    response = client.post("/dashboard/entries/bulk/", {"action": "discard", "entry": [entry.id], "next": target})

    assert response.status_code == 302 and response["Location"] == "/dashboard/drafts/"


def test_it_still_returns_to_a_local_next_after_a_bulk_action(signed_in):
    client, record = signed_in
    entry = make_entry(record)

    response = client.post("/dashboard/entries/bulk/",
                           {"action": "discard", "entry": [entry.id], "next": "/dashboard/drafts/?repo=octo-org/api"})

    assert response["Location"] == "/dashboard/drafts/?repo=octo-org/api"
