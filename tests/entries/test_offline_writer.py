"""The built-in writer (no AI provider configured) does real work, and an unchanged text costs nothing."""

from datetime import datetime, timezone

import pytest
import time_machine

from billing.models import Usage
from entries.models import Entry
from entries.offline_writer import clean_title, offline_rewrite
from entries.publishing import entry_rewrite
from tests.factories import make_entry, make_user

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("title, expected", [
    ("feat(api)!: add dark mode (#42)", "Add dark mode"),
    ("[WEB-123] fix: crash on login", "Crash on login"),
    ("WEB-123: Faster search", "Faster search"),
    ("Support UTF-8 names", "Support UTF-8 names"),
    ("feature/catalog-info", "Catalog info"),
])
def test_it_cleans_prefixes_and_ticket_ids_from_titles(title, expected):
    assert clean_title(title) == expected


@pytest.mark.parametrize("title, category, lead", [
    ("feat: add CSV export", "New", "You can now use CSV export."),
    ("Allow users to invite teammates", "New", "You can now invite teammates."),
    ("Bulk archive projects", "New", "You can now bulk archive projects."),
    ("Fix CSV export dropping rows with emoji", "Fixed", "Fixed: CSV export dropping rows with emoji."),
    ("fix(auth): crash when a session expires", "New", "Fixed: crash when a session expires."),
    ("Improve startup time", "Improved", "Improved startup time."),
    ("Faster search across projects", "Improved", "Improved: faster search across projects."),
])
def test_it_leads_with_what_changed_for_readers(title, category, lead):
    assert offline_rewrite(title, "", category) == lead


@pytest.mark.parametrize("title", [
    "Bump django from 5.1.4 to 5.2.0",
    "chore(deps): bump django from 5.1.4 to 5.2.0 in /backend",
    "Upgrade to Django 5.2.0",
])
def test_it_turns_a_dependency_bump_into_one_line(title):
    body = ("Bumps [django](https://github.com/django/django) from 5.1.4 to 5.2.0.\n"
            "<details><summary>Commits</summary><ul><li>abc123 Fixed #35000</li></ul></details>\n\n"
            "Dependabot will resolve any conflicts with this PR as long as you don't alter it yourself.")

    assert offline_rewrite(title, body).lower() == "updated django to 5.2.0."


def test_it_adds_the_bodys_first_useful_paragraph_without_boilerplate():
    body = ("<!-- Describe your change -->\n## Description\nExports now keep every row; names are written as "
            "UTF-8.\n\nCloses #12 and WEB-7\n\n## Testing\n- [x] Unit tests\n\n## Screenshots\n![s](https://x/y.png)")

    text = offline_rewrite("fix: CSV export drops rows", body)

    assert text == "Fixed: CSV export drops rows. Exports now keep every row; names are written as UTF-8."


def test_it_leaves_out_a_body_that_only_repeats_the_title():
    assert offline_rewrite("feat: add dark mode", "Add dark mode.") == "You can now use dark mode."


@time_machine.travel(MARCH, tick=False)
def test_a_rewrite_that_changes_nothing_is_not_counted(redis_db):
    user = make_user()
    entry = make_entry(user, title="feat: add dark mode", body="Adds a dark theme.")
    first = entry_rewrite(user_id=user.id, entry_id=entry.id)

    again = entry_rewrite(user_id=user.id, entry_id=entry.id)

    assert again.aiRewrite == first.aiRewrite
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 1


@time_machine.travel(MARCH, tick=False)
def test_a_rewrite_equal_to_the_original_text_is_not_stored_or_counted(redis_db):
    user = make_user()
    entry = make_entry(user, title="Release notes", category="Other", body="Release notes.")

    rewritten = entry_rewrite(user_id=user.id, entry_id=entry.id)

    assert rewritten.aiRewrite is None and Entry.get_by_id(entry.id).aiRewrite is None
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 0
