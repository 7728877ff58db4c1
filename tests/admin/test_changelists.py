"""Every collection of the data document has a changelist, read from a keyspace another
implementation wrote, through the index keys: paginated, sortable where an index allows, never SCAN."""

import re

import pytest
from django.contrib import admin

from changelog_site.kv.keys import PATTERNS
from changelog_site.kv.registry import registry
from changelog_site.kvadmin import RecordAdmin
from entries.admin import EntryAdmin
from tests.admin.conftest import (ALICE, BOB, BOB_ENTRY, DRAFT, ENTRY, OTHER_REPO, PENDING, REPO, ROADMAP, SUBSCRIBER,
                                  WIDGET)
from tests.factories import make_entry, make_user

pytestmark = pytest.mark.django_db

FORBIDDEN = {"SCAN", "KEYS", "SSCAN", "ZSCAN", "HSCAN"}
DOCUMENT_PREFIXES = {"user", "repo", "entry", "usage", "social", "widget", "subscriber", "analytics", "roadmap"}
NOT_LISTABLE = {"Visitor"}  # anonymous, no index lists them: reachable only by visitor id (docs/admin.md)

CHANGELISTS = {
    "/admin/billing/user/": [ALICE, "alice@example.com", "4 published · 2 AI rewrites", "cus_2NNE / sub_2NNE", BOB],
    "/admin/repos/repo/": [REPO, OTHER_REPO, "5001"],
    "/admin/repos/githubtoken/": [ALICE, "not checked"],
    "/admin/entries/entry/": [ENTRY, "Dark mode everywhere", DRAFT, BOB_ENTRY],
    "/admin/entries/socialpost/": ["soc_2NNEqLsOcIaL000000000000", "Dark mode is here."],
    "/admin/widget/widgetconfig/": [WIDGET, "120", "9"],
    "/admin/engagement/subscriber/": [SUBSCRIBER, PENDING, "digest, majorReleases"],
    "/admin/engagement/pageviews/": ["2026-03-10", ENTRY, "31"],
    "/admin/engagement/entryupvotes/": [ENTRY, "Dark mode everywhere", "5"],
    "/admin/roadmap/roadmapitem/": [ROADMAP, "Single sign-on", "planned"],
}


def result_rows(response):
    html = response.content.decode()
    if 'id="result_list"' not in html:
        return []
    table = html[html.index('id="result_list"'):html.index("</table>", html.index('id="result_list"'))]
    return re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)


def test_it_lists_every_collection_from_the_documents_keys(client, keyspace, staff):
    for url, expected in CHANGELISTS.items():
        response = client.get(url)

        assert response.status_code == 200, url
        page = response.content.decode()
        for text in expected:
            assert text in page, (url, text)


def test_it_never_shows_a_github_token_or_a_confirmation_token(client, keyspace, staff):
    pages = [client.get(url).content for url in ("/admin/repos/githubtoken/", "/admin/billing/user/",
                                                  f"/admin/repos/githubtoken/{ALICE}/change/",
                                                  "/admin/engagement/subscriber/")]

    assert not any(b"gho_alicesecrettoken" in page or keyspace.get(f"user:{ALICE}:github_token").encode() in page
                   or b"tok_pending" in page for page in pages)


def test_it_reads_the_changelists_without_scanning(client, keyspace, staff, record_commands):
    with record_commands() as recorder:
        for url in CHANGELISTS:
            assert client.get(url).status_code == 200
            assert client.get(url, {"q": "dark"}).status_code == 200
        assert client.get("/admin/").status_code == 200

    assert recorder.commands and not recorder.names() & FORBIDDEN


def test_every_collection_of_the_document_is_in_the_admin():
    shown = {cls for model_admin in admin.site._registry.values() if isinstance(model_admin, RecordAdmin)
             for cls in (model_admin.record_class, *model_admin.covers)}
    document_classes = {cls for cls in registry if any(PATTERNS[name].parts[0][1] in DOCUMENT_PREFIXES
                                                       for name in cls.key_names)}

    assert {cls.__name__ for cls in document_classes - shown} == NOT_LISTABLE


def test_it_pages_through_the_users_index(client, staff):
    for number in range(55):
        make_user(id=f"user_page{number:03d}abcdefghijklmnopq", email=f"reader{number:03d}@example.com")

    first, second = client.get("/admin/billing/user/"), client.get("/admin/billing/user/", {"p": 2})

    assert len(result_rows(first)) == 50 and len(result_rows(second)) == 5
    assert "user_page049" in first.content.decode() and "user_page050" in second.content.decode()
    assert "55 users" in first.content.decode()


def test_it_sorts_entries_by_merge_date_across_users(client, staff):
    alice, bob = make_user(), make_user()
    for user, pr_id, day in ((alice, 1, "05"), (bob, 2, "20"), (alice, 3, "12"), (bob, 4, "01")):
        make_entry(user, pr_id=pr_id, title=f"PR {pr_id}", mergedAt=f"2026-03-{day}T10:00:00Z")

    def titles(**params):
        rows = result_rows(client.get("/admin/entries/entry/", params))
        return [re.search(r'field-title"><a [^>]*>PR (\d)', row).group(1) for row in rows]

    merged_column = str(EntryAdmin.list_display.index("mergedAt") + 1)  # the checkbox is column 0
    assert titles() == ["2", "3", "1", "4"]
    assert titles(o=merged_column) == ["4", "1", "3", "2"]
    assert titles(o=f"-{merged_column}") == ["2", "3", "1", "4"]


def test_it_filters_entries_by_status_through_their_indexes(client, keyspace, staff):
    page = client.get("/admin/entries/entry/", {"status__exact": "published"}).content.decode()

    assert ENTRY in page and DRAFT not in page and BOB_ENTRY not in page


def test_it_narrows_a_collection_to_a_user_from_the_users_links(client, keyspace, staff):
    page = client.get("/admin/entries/entry/", {"userId": BOB}).content.decode()

    assert BOB_ENTRY in page and ENTRY not in page


def test_a_filter_no_index_answers_is_refused_not_guessed(client, keyspace, staff):
    response = client.get("/admin/entries/entry/", {"title": "Dark mode everywhere"})

    assert response.status_code == 302 and "e=1" in response["Location"]
