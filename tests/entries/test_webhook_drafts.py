"""GitHub webhooks after the first draft: categories and skip rules, release notes, reverts,
later edits, the user's own edits, published entries, ordering and the cost of a delivery."""

import pytest

from entries.models import Entry
from entries.services import entry_fields_mark_edited
from tests.entries.webhook_draft_helpers import (MERGED, MERGED_REPO, MERGED_REPO_ID, connect, later, raw_entry,
                                                recent_pr, webhook_secret)  # noqa: F401 (webhook_secret: autouse)
from tests.factories import make_repo, make_user
from tests.webhook_helpers import deliver, fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title, labels, category", [
    ("feature/catalog-info", [], "Other"),
    ("feat(api): cursor pagination", [], "New"),
    ("fix: crash on empty body", [], "Fixed"),
    ("perf: cache the index", [], "Improved"),
    ("refactor!: split the service", [], "Improved"),
    ("Add SSO", ["enhancement"], "New"),
    ("Something", ["Type: Bug"], "Fixed"),
    ("feat: labels win", ["bug"], "Fixed"),
])
def test_it_categorises_from_labels_then_conventional_prefixes(client, redis_db, title, labels, category):
    user = connect()
    payload = fixture_json(MERGED)
    payload["pull_request"]["title"] = title
    payload["pull_request"]["labels"] = [{"name": name} for name in labels]

    deliver(client, "pull_request", payload)

    assert raw_entry(redis_db, user)["category"] == category


def test_it_follows_the_users_own_category_and_skip_rules(client, redis_db):
    from github_sync.models import SyncSettings

    alice, bob = connect(), connect()
    SyncSettings.objects.create(user_id=alice.id, github_repo_id=MERGED_REPO_ID, skip_label="internal",
                                category_rules={"labels": {"ux": "Improved"}})
    payload = fixture_json(MERGED)
    payload["pull_request"]["labels"] = [{"name": "ux"}]

    deliver(client, "pull_request", payload)

    assert raw_entry(redis_db, alice)["category"] == "Improved"
    assert raw_entry(redis_db, bob)["category"] == "Other"
    payload["pull_request"].update(number=18, labels=[{"name": "internal"}])
    deliver(client, "pull_request", payload)
    assert raw_entry(redis_db, alice, pr_id=18) is None
    assert raw_entry(redis_db, bob, pr_id=18) is not None


@pytest.mark.parametrize("change", [
    {"labels": [{"name": "skip-changelog"}]},
    {"labels": [{"name": "no-notes"}]},
    {"labels": [{"name": "chore"}]},
    {"user": {"login": "dependabot[bot]", "type": "Bot"}},
    {"body": "Bump deps.\n\n```release-note\nNONE\n```\n"},
])
def test_it_skips_what_the_rules_say_to_skip(client, redis_db, change):
    user = connect()
    payload = fixture_json(MERGED)
    payload["pull_request"].update(change)

    response = deliver(client, "pull_request", payload)

    assert response.status_code == 200
    assert raw_entry(redis_db, user) is None
    assert redis_db.keys("idx:entries:*") == []


@pytest.mark.parametrize("body, expected", [
    ("#### What this PR does\n\nRefactors the queue.\n\n```release-note\nAdded `--retries` to the CLI.\n```\n",
     "Added `--retries` to the CLI."),
    ("Internal notes.\n\n## Release notes\n\nBuilds are 2x faster.\n\n## Checklist\n- [x] tests",
     "Builds are 2x faster."),
    ("Fixes #12\r\n\r\nRelease note: Logins no longer time out.\r\n", "Logins no longer time out."),
    ("## Description\n\nNo note here.\n\n- [x] Tests added", "## Description\n\nNo note here.\n\n- [x] Tests added"),
])
def test_it_uses_the_release_note_block_as_the_body(client, redis_db, body, expected):
    user = connect()
    payload = fixture_json(MERGED)
    payload["pull_request"]["body"] = body

    deliver(client, "pull_request", payload)

    assert raw_entry(redis_db, user)["body"] == expected


def test_it_marks_revert_prs(client, redis_db):
    user = connect()
    payload = fixture_json(MERGED)
    payload["pull_request"].update(title='Revert "Add catalog info"', body="Reverts sish8075/statistics-source#16")

    deliver(client, "pull_request", payload)

    entry = raw_entry(redis_db, user)
    assert redis_db.hgetall(f"meta:entry-github:{entry['id']}") == {
        "revert": "1", "revertsPr": "16", "prUpdatedAt": "2022-10-12T08:33:55+00:00"}


# --- later events ---------------------------------------------------------------------------------

def test_it_updates_a_draft_from_later_edits_and_labels(client, redis_db):
    user = connect()
    merged = recent_pr()
    deliver(client, "pull_request", merged)

    deliver(client, "pull_request", later(merged, "edited", title="feat: catalog info file", body="Adds it."))
    deliver(client, "pull_request", later(merged, "labeled", seconds=60, title="feat: catalog info file",
                                          body="Adds it.", labels=[{"name": "bug"}]))

    stored = raw_entry(redis_db, user)
    assert (stored["title"], stored["body"], stored["labels"], stored["category"]) == \
        ("feat: catalog info file", "Adds it.", ["bug"], "Fixed")


def test_it_keeps_the_fields_the_user_edited(client, redis_db):
    user = connect()
    merged = recent_pr()
    deliver(client, "pull_request", merged)
    entry = Entry.get(user.id, MERGED_REPO, 17)
    entry.title = "Catalog info, explained"
    entry.save()
    entry_fields_mark_edited(entry_id=entry.id, fields=["title"])

    deliver(client, "pull_request", later(merged, "edited", title="Something else", body="New body"))

    stored = raw_entry(redis_db, user)
    assert (stored["title"], stored["body"]) == ("Catalog info, explained", "New body")


def test_it_never_changes_a_published_entry(client, redis_db):
    user = connect()
    merged = recent_pr()
    deliver(client, "pull_request", merged)
    entry = Entry.get(user.id, MERGED_REPO, 17)
    entry.status, entry.publishedAt = "published", "2026-03-09T12:00:00Z"
    entry.save()
    before = redis_db.get(entry.key())

    deliver(client, "pull_request", later(merged, "edited", title="Changed after publishing"))
    deliver(client, "pull_request", later(merged, "labeled", labels=[{"name": "skip-changelog"}]))

    assert redis_db.get(entry.key()) == before


def test_it_removes_a_draft_when_the_skip_label_is_added_later(client, redis_db):
    user = connect()
    merged = recent_pr()
    deliver(client, "pull_request", merged)

    deliver(client, "pull_request", later(merged, "labeled", labels=[{"name": "skip-changelog"}]))

    assert raw_entry(redis_db, user) is None
    assert redis_db.keys("idx:entr*") == []


def test_it_ends_in_the_newest_state_when_deliveries_arrive_out_of_order(client, redis_db):
    user = connect()
    merged = recent_pr()
    labeled = later(merged, "labeled", labels=[{"name": "enhancement"}])

    deliver(client, "pull_request", labeled)  # overtakes the "closed" delivery
    deliver(client, "pull_request", merged)

    stored = raw_entry(redis_db, user)
    assert (stored["labels"], stored["category"]) == (["enhancement"], "New")


def test_later_events_do_not_resurrect_old_prs(client, redis_db):
    user = connect()
    old = fixture_json(MERGED)  # merged in 2022
    old["action"] = "labeled"

    response = deliver(client, "pull_request", old)

    assert response.status_code == 200
    assert raw_entry(redis_db, user) is None


def test_a_delivery_never_scans_and_costs_a_bounded_number_of_commands(client, redis_db, record_commands):
    connect()
    for n in range(50):  # other keys in the DB must not make a delivery dearer
        make_repo(make_user(), name=f"other/repo-{n}", githubRepoId=10_000 + n)

    with record_commands() as recorder:
        response = deliver(client, "pull_request", fixture_bytes(MERGED))

    assert response.status_code == 200
    assert not recorder.names() & {"SCAN", "KEYS"}
    assert len(recorder.commands) <= 20
