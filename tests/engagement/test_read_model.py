"""The public changelog's read model (engagement/read_model.py): every published copy in one sorted
set per repository, kept in the entry's own transaction, paged without scanning, rebuilt by kv_reindex."""

import pytest

from changelog_site.kv.reindex import Reindexer
from engagement import read_model
from repos.models import Repo
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published
from tests.factories import make_entry, make_repo, make_user

pytestmark = pytest.mark.django_db
CONNECTION_SETUP = {"SELECT", "CLIENT", "HELLO", "AUTH", "PING"}  # a new pooled connection, not the page's work


def titles(html, candidates):
    return [title for title in candidates if title in html]


def test_it_holds_a_published_copy_and_drops_it_on_unpublish(redis_db):
    user = connected()
    entry = published(user, pr_id=42, category="Fixed")

    assert redis_db.zrange(f"idx:changelog:{REPO}", 0, -1) == [f"0000000042:{user.id}"]
    assert redis_db.zrange(f"idx:changelog:{REPO}:Fixed", 0, -1) == [f"0000000042:{user.id}"]

    entry.status, entry.publishedAt = "draft", None
    entry.save()

    assert not redis_db.exists(f"idx:changelog:{REPO}", f"idx:changelog:{REPO}:Fixed")


def test_it_pages_entries_merged_in_the_same_second_by_pr_number_each_once(redis_db):
    user = connected()
    for n in range(1, 46):
        published(user, pr_id=n, mergedAt="2026-03-05T10:00:00Z")

    seen, cursor = [], None
    for _ in range(3):
        entries, cursor = read_model.published_page(repo_id=REPO, user_ids=[user.id], cursor=cursor)
        seen += [entry.prId for entry in entries]

    assert seen == list(range(45, 0, -1))
    assert cursor is None


def test_it_shows_only_the_copy_readers_see_in_a_category(redis_db):
    alice, bob = make_user(), make_user()
    make_repo(alice)
    make_repo(bob)
    published(alice, pr_id=5, title="Alice calls it new", category="New", publishedAt="2026-03-10T10:00:00Z")
    published(bob, pr_id=5, title="Bob calls it a fix", category="Fixed", publishedAt="2026-03-11T10:00:00Z")
    client = browser()

    new = client.get(BASE, {"category": "New"}).content.decode()
    fixed = client.get(BASE, {"category": "Fixed"}).content.decode()

    assert titles(new, ["Alice calls it new", "Bob calls it a fix"]) == []
    assert titles(fixed, ["Alice calls it new", "Bob calls it a fix"]) == ["Bob calls it a fix"]


def test_it_leaves_out_the_copies_of_a_user_who_disconnected(redis_db):
    alice, bob = make_user(), make_user()
    make_repo(alice)
    make_repo(bob)
    published(alice, pr_id=1, title="Entry by Alice")
    published(bob, pr_id=2, title="Entry by Bob")

    Repo.get(alice.id, REPO).delete()
    html = browser().get(BASE).content.decode()

    assert titles(html, ["Entry by Alice", "Entry by Bob"]) == ["Entry by Bob"]


def test_it_reads_the_same_commands_for_a_first_page_of_25_or_250_entries(redis_db, record_commands):
    user = make_user()
    for name, count in (("octo-org/small", 25), ("octo-org/large", 250)):
        make_repo(user, name=name)
        for n in range(1, count + 1):
            make_entry(user, repo_id=name, pr_id=n, status="published", publishedAt="2026-03-10T10:00:00Z")
    client = browser()

    commands = {}
    for name in ("octo-org/small", "octo-org/large"):
        with record_commands() as recorder:
            assert client.get(f"/changelog/{name}/").status_code == 200
        commands[name] = sorted(name for name in (command.split(" ", 1)[0].upper() for command in recorder.commands)
                                if name not in CONNECTION_SETUP)

    assert commands["octo-org/small"] == commands["octo-org/large"]


def test_kv_reindex_rebuilds_it_and_prunes_what_is_no_longer_published(redis_db):
    user = connected()
    published(user, pr_id=1, title="Rebuilt from the entry")
    gone = published(user, pr_id=2)
    redis_db.delete(f"idx:changelog:{REPO}", f"idx:changelog:{REPO}:New")
    redis_db.set(gone.key(), gone.model_copy(update={"status": "draft", "publishedAt": None}).dumps())
    redis_db.zadd(f"idx:changelog:{REPO}", {f"0000000002:{user.id}": 1.0})

    Reindexer().run(scan=lambda match: redis_db.scan_iter(match=match))

    assert redis_db.zrange(f"idx:changelog:{REPO}", 0, -1) == [f"0000000001:{user.id}"]
    assert "Rebuilt from the entry" in browser().get(BASE).content.decode()
