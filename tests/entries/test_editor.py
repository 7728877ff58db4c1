"""The editor is one form: every button saves what the user typed before doing its action."""

from datetime import datetime, timezone

import pytest
import time_machine

from billing.models import Usage
from entries.models import Entry
from tests.factories import make_entry

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
pytestmark = pytest.mark.django_db


def edited(**fields):
    values = {"title": "Dark mode everywhere", "category": "New", "body": "Now with a toggle.", "aiRewrite": "",
              "textSource": "original"}
    values.update(fields)
    return values


@time_machine.travel(MARCH, tick=False)
def test_publish_saves_the_edits_then_publishes(signed_in):
    client, me = signed_in
    entry = make_entry(me, title="Old title", body="Old body")

    response = client.post(f"/dashboard/entries/{entry.id}/", edited(action="publish"), follow=True)

    stored = Entry.get_by_id(entry.id)
    assert (stored.title, stored.body, stored.status) == ("Dark mode everywhere", "Now with a toggle.", "published")
    assert "Saved. Published." in response.content.decode()


@time_machine.travel(MARCH, tick=False)
def test_rewrite_saves_the_edits_and_names_the_built_in_writer(signed_in):
    client, me = signed_in
    entry = make_entry(me, title="Old title", body="Old body")

    response = client.post(f"/dashboard/entries/{entry.id}/", edited(title="feat: add dark mode", action="rewrite"),
                           follow=True)

    stored = Entry.get_by_id(entry.id)
    assert stored.title == "feat: add dark mode" and stored.aiRewrite.startswith("You can now use dark mode.")
    assert "Rewritten by the built-in writer" in response.content.decode()
    assert Usage(me.id, "2026-03").get()["aiRewrites"] == 1


@time_machine.travel(MARCH, tick=False)
def test_a_rewrite_that_changes_nothing_says_so(signed_in):
    client, me = signed_in
    entry = make_entry(me, title="feat: add dark mode", body="Adds a toggle.")
    client.post(f"/dashboard/entries/{entry.id}/", edited(title=entry.title, body=entry.body, action="rewrite"))
    again = Entry.get_by_id(entry.id)

    response = client.post(f"/dashboard/entries/{entry.id}/",
                           edited(title=again.title, body=again.body, aiRewrite=again.aiRewrite,
                                  textSource="aiRewrite", action="rewrite"), follow=True)

    assert "no rewrite was counted" in response.content.decode()
    assert Usage(me.id, "2026-03").get()["aiRewrites"] == 1


def test_an_invalid_form_publishes_nothing(signed_in):
    client, me = signed_in
    entry = make_entry(me)

    response = client.post(f"/dashboard/entries/{entry.id}/", edited(title="", action="publish"))

    assert response.status_code == 200 and "nothing was saved or published" in response.content.decode()
    assert Entry.get_by_id(entry.id).status == "draft"


@time_machine.travel(MARCH, tick=False)
def test_edits_are_kept_when_publishing_hits_the_plan_limit(signed_in):
    client, me = signed_in
    Usage(me.id, "2026-03").increment("entriesPublished", 10)
    entry = make_entry(me, title="Old title")

    response = client.post(f"/dashboard/entries/{entry.id}/", edited(action="publish"), follow=True)

    page = response.content.decode()
    assert Entry.get_by_id(entry.id).title == "Dark mode everywhere"
    assert "Your changes were saved." in page and "/dashboard/billing/" in page


def test_the_editor_warns_before_leaving_with_unsaved_changes(signed_in):
    client, me = signed_in

    page = client.get(f"/dashboard/entries/{make_entry(me).id}/").content.decode()

    assert "data-unsaved-warning" in page and 'form="editor"' in page
