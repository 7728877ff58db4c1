"""The Drafts, Published and editor pages, through a signed-in dashboard session."""

from datetime import datetime, timezone

import pytest
import time_machine

from billing.models import Usage
from entries.models import Entry
from tests.factories import make_entry, make_repo, make_user

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
pytestmark = pytest.mark.django_db


def test_the_drafts_page_lists_only_my_drafts(signed_in):
    client, me = signed_in
    make_repo(me, name="acme/api")
    mine = make_entry(me, title="Faster search")
    make_entry(me, title="Already out", status="published", publishedAt="2026-03-10T10:00:00Z")
    make_entry(make_user(), title="Someone else's")

    page = client.get("/dashboard/drafts/").content.decode()

    assert "Faster search" in page and f"/dashboard/entries/{mine.id}/" in page
    assert "Already out" not in page and "Someone else" not in page


def test_the_drafts_page_filters_by_category(signed_in):
    client, me = signed_in
    make_entry(me, title="Crash on login", category="Fixed")
    make_entry(me, title="Dark mode", category="New")

    page = client.get("/dashboard/drafts/?category=Fixed").content.decode()

    assert "Crash on login" in page and "Dark mode" not in page


def test_an_empty_drafts_page_says_how_drafts_arrive(signed_in):
    client, _ = signed_in

    page = client.get("/dashboard/drafts/").content.decode()

    assert "Connect a repository" in page


def test_the_published_page_lists_published_entries(signed_in):
    client, me = signed_in
    make_entry(me, title="Shipped thing", status="published", publishedAt="2026-03-10T10:00:00Z")

    assert "Shipped thing" in client.get("/dashboard/published/").content.decode()


def test_the_editor_saves_only_what_changed(signed_in, redis_db):
    client, me = signed_in
    entry = make_entry(me, title="Old title", body="Body", category="New")

    response = client.post(f"/dashboard/entries/{entry.id}/", {
        "title": "New title", "category": "New", "body": "Body", "aiRewrite": "", "textSource": "original"})

    assert response.status_code == 302
    assert Entry.get_by_id(entry.id).title == "New title"
    assert redis_db.smembers(f"meta:entry-edited:{entry.id}") == {"title"}


def test_the_editor_shows_form_errors_and_keeps_the_entry(signed_in):
    client, me = signed_in
    entry = make_entry(me)

    response = client.post(f"/dashboard/entries/{entry.id}/", {"title": "", "category": "Nope", "textSource": "x"})

    assert response.status_code == 200
    assert Entry.get_by_id(entry.id) == entry


def test_another_users_entry_is_a_404_in_the_editor(signed_in):
    client, _ = signed_in
    entry = make_entry(make_user())

    assert client.get(f"/dashboard/entries/{entry.id}/").status_code == 404
    assert client.post(f"/dashboard/entries/{entry.id}/publish/").status_code == 404


@time_machine.travel(MARCH, tick=False)
def test_publishing_from_the_editor_counts_usage(signed_in):
    client, me = signed_in
    entry = make_entry(me)

    client.post(f"/dashboard/entries/{entry.id}/publish/")

    assert Entry.get_by_id(entry.id).status == "published"
    assert Usage(me.id, "2026-03").get()["entriesPublished"] == 1


@time_machine.travel(MARCH, tick=False)
def test_bulk_publish_stops_at_the_plan_limit_and_says_so(signed_in):
    client, me = signed_in
    Usage(me.id, "2026-03").increment("entriesPublished", 8)
    drafts = [make_entry(me, pr_id=n) for n in range(1, 5)]

    response = client.post("/dashboard/entries/bulk/", {"action": "publish", "entry": [d.id for d in drafts]},
                           follow=True)

    assert Entry.count(me.id, "published") == 2
    assert "Upgrade" in response.content.decode() or "See plans" in response.content.decode()


def test_bulk_discard_deletes_the_selected_drafts(signed_in):
    client, me = signed_in
    keep, drop = make_entry(me, pr_id=1), make_entry(me, pr_id=2)

    client.post("/dashboard/entries/bulk/", {"action": "discard", "entry": [drop.id]})

    assert Entry.get_by_id(drop.id) is None and Entry.get_by_id(keep.id) is not None


def test_the_preview_renders_markdown_without_scripts(signed_in):
    client, _ = signed_in

    html = client.post("/dashboard/entries/preview/", {"text": "**bold** <script>alert(1)</script>"}).json()["html"]

    assert "<strong>bold</strong>" in html and "<script" not in html


def test_the_dashboard_pages_need_a_login(client):
    response = client.get("/dashboard/drafts/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_drafts_page_flags_revert_pull_requests(signed_in, redis_db):
    client, me = signed_in
    entry = make_entry(me, title='Revert "Add dark mode"')
    redis_db.hset(f"meta:entry-github:{entry.id}", mapping={"revert": "1", "revertsPr": "41"})

    page = client.get("/dashboard/drafts/").content.decode()

    assert "Revert of #41" in page
