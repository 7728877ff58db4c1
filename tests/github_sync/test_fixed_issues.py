"""The issues a merged PR fixes, kept beside its entry: read from real deliveries, titles fetched
once through the REST API with the owner's token, a missing or private issue kept as a number;
shown in the editor, on the public entry and changelog, and in the feeds (docs/github-loop.md)."""

import json

import pytest
import responses

from entries import github_loop
from entries.models import Entry
from entries.publishing import entry_publish
from tests.accounts_helpers import api
from tests.github_sync.loop_helpers import (PR, REPO, TOKEN, deliver_merged, edited, merged,  # noqa: F401
                                            no_spacing, owner, shipped_in, webhook_secret)
from tests.webhook_helpers import deliver

pytestmark = pytest.mark.django_db

ISSUE_12 = f"https://github.com/{REPO}/issues/12"


def loop_block(html):
    """What the entry card says about its PR: the fixes and the thanks."""
    start = html.index('<div class="entry-loop">')
    return html[start:html.index("</div>", start)]


def test_it_records_the_fixed_issues_of_a_merged_pr_and_fetches_each_title_once(client):
    made = owner()
    with responses.RequestsMock() as github:
        assert deliver_merged(client, github).status_code == 200
        assert deliver(client, "pull_request", edited(merged(), title="Export emoji")).status_code == 200

        fetched = [call.request.url for call in github.calls]
        tokens = {call.request.headers["Authorization"] for call in github.calls}
    entry = Entry.get(made.record.id, REPO, PR)

    assert fetched == [api(f"/repos/{REPO}/issues/12"), api(f"/repos/{REPO}/issues/13")]
    assert tokens == {f"Bearer {TOKEN}"}
    assert github_loop.fixes_get(entry.id) == [{"number": 12, "title": "Export fails on emoji", "state": "found"},
                                               {"number": 13, "title": None, "state": "missing"}]
    assert "other/repo" not in json.dumps(github_loop.fixes_get(entry.id)) and entry.title == "Export emoji"


def test_a_private_repositorys_issues_stay_plain_numbers_and_are_never_fetched(client):
    made = owner(private=True)
    with responses.RequestsMock():  # any GitHub call fails the test
        deliver(client, "pull_request", merged())

    entry = Entry.get(made.record.id, REPO, PR)
    assert [fix["state"] for fix in github_loop.fixes_get(entry.id)] == ["private", "private"]


def test_without_a_token_the_numbers_wait_for_their_titles(client):
    made = owner(token=None)
    with responses.RequestsMock():
        deliver(client, "pull_request", merged())

    entry = Entry.get(made.record.id, REPO, PR)
    assert [fix["state"] for fix in github_loop.fixes_get(entry.id)] == ["pending", "pending"]


def test_the_public_entry_list_and_feeds_show_what_it_fixes(client):
    made = owner()
    shipped_in(made, shipped_in=False)
    with responses.RequestsMock() as github:
        deliver_merged(client, github)
    entry_publish(user_id=made.record.id, entry_id=Entry.get(made.record.id, REPO, PR).id)

    page = client.get(f"/changelog/{REPO}/{PR}/").content.decode()
    listing = client.get(f"/changelog/{REPO}/").content.decode()
    feed = client.get(f"/changelog/{REPO}/rss.xml").content.decode()

    link = (f'<li>Fixes <a href="{ISSUE_12}" rel="nofollow noopener">#12 Export fails on emoji</a></li>'
            "<li>Fixes #13</li>")
    assert link in loop_block(page) and link in loop_block(listing)
    assert "#99" not in loop_block(page) and "#4" not in loop_block(page)
    assert f'Fixes &lt;a href="{ISSUE_12}" rel="nofollow noopener"&gt;#12 Export fails on emoji' in feed


def test_the_editor_shows_the_fixed_issues(client):
    made = owner()
    shipped_in(made, shipped_in=False)
    with responses.RequestsMock() as github:
        deliver_merged(client, github)
    client.force_login(made.django_user)

    page = client.get(f"/dashboard/entries/{Entry.get(made.record.id, REPO, PR).id}/").content.decode()

    assert f'<a href="{ISSUE_12}" rel="noopener" target="_blank">#12</a> Export fails on emoji' in page
    assert "not found on GitHub: shown as a number" in page


def test_a_published_entry_keeps_what_it_fixed_when_the_pr_is_edited(client):
    made = owner()
    shipped_in(made, shipped_in=False)
    with responses.RequestsMock() as github:
        deliver_merged(client, github)
    entry = Entry.get(made.record.id, REPO, PR)
    entry_publish(user_id=made.record.id, entry_id=entry.id)

    with responses.RequestsMock():
        deliver(client, "pull_request", edited(merged(body="Fixes #40")))

    assert [fix["number"] for fix in github_loop.fixes_get(entry.id)] == [12, 13]


def test_the_gdpr_export_carries_them_with_the_entry(client):
    made = owner()
    with responses.RequestsMock() as github:
        deliver_merged(client, github)

    exported = client.get("/api/me/export/", **made.headers).json()

    entry = next(item for item in exported["entries"] if item["prId"] == PR)
    assert [fix["number"] for fix in entry["fixedIssues"]] == [12, 13]
    assert entry["contributors"]["coAuthors"] == [{"login": "janedoe", "name": "Jane Doe"}]
