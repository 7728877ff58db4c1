"""Every registered record class owns its family of keys: deleting a record leaves none of them
behind, and renaming a repository leaves nothing under its old name.

Each registered class has a builder below: it makes what the record hangs off (kept), yields,
then writes the record's whole family through the app's own code and yields the record. A class
registered without a builder fails ``test_every_registered_class_has_a_family_builder``.
"""

import json
from datetime import date, datetime, timezone

import pytest

from accounts.models import User
from billing.models import BillingState, DodoIds, Usage
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.registry import registry
from engagement.models import (EntryUpvotes, PageViews, RepoPublicPage, RepoSubscriptions, RepoViewStats, Subscriber,
                               Visitor)
from entries import github_loop
from entries.github_loop import EntryGitHubLoop
from entries.models import Entry, EntryGitHubState, SocialPost
from entries.services import entry_fields_mark_edited
from github_sync.models import RepoDisconnectedMark, RepoSyncState, UserNotices
from github_sync.services.releases import release_save
from github_sync.services.repositories import repo_mark_deleted, repo_rename
from repos.models import GitHubToken, Repo, RepoShares
from roadmap.models import RoadmapItem, RoadmapItemState, RoadmapRules, RoadmapUpvotes
from roadmap.services import item_update
from tests.factories import (make_entry, make_repo, make_roadmap_item, make_social, make_subscriber, make_user,
                             make_widget)
from widget.models import EntryWidgetClicks, WidgetConfig, WidgetCounters

pytestmark = pytest.mark.django_db

OLD, NEW, GITHUB_ID = "octo-org/old-name", "octo-org/new-name", 5150
RELEASE = {"id": 101, "tagName": "v1.0.0", "name": "First", "htmlUrl": "https://github.com/octo-org/old-name/r/1",
           "publishedAt": "2026-03-01T10:00:00Z"}
# Writes bump the repository's changelog version, and idx:user-related-repos is never shrunk but
# with the user (docs/storage.md): neither is part of one record's family.
NOT_A_FAMILY = ("cache:changelog-version:", "idx:user-related-repos:")


def entry_with_everything(user):
    entry = make_entry(user, repo_id=OLD, status="published", publishedAt="2026-03-10T10:00:00Z",
                       prUrl=f"https://github.com/{OLD}/pull/1")
    make_social(user, entry)
    EntryUpvotes(entry.id).upvote("visitor-1")
    PageViews(entry.id).record(date(2026, 3, 9), "visitor-1")
    entry_fields_mark_edited(entry_id=entry.id, fields=["title"])
    kv.get_client().hset(keys.meta_entry_github(entry.id), mapping={"revert": "0"})
    return entry


def widget_with_counters(user, entry):
    widget = make_widget(user, repo_id=OLD)
    WidgetCounters(widget.id).impression()
    WidgetCounters(widget.id).click(entry.id)
    return widget


def everything_a_user_has(user):
    make_repo(user, name=OLD, githubRepoId=GITHUB_ID)
    entry = entry_with_everything(user)
    make_entry(user, repo_id=OLD)
    widget_with_counters(user, entry)
    item = make_roadmap_item(user, repo_id=OLD, githubIssueUrl=f"https://github.com/{OLD}/issues/3")
    RoadmapUpvotes(item.id).upvote("visitor-1")
    Usage(user.id).increment("entriesPublished")
    DodoIds(user.id).set_customer(f"cus_{user.id}")
    DodoIds(user.id).set_subscription(f"sub_{user.id}")
    billing_state(user)
    GitHubToken(user.id).set("gho_token")
    kv.get_client().hset(keys.cache_github_pages(user.id), "https://api.github.com/user/repos", "{}")
    notices(user)


def notices(user):
    client = kv.get_client()
    client.lpush(keys.meta_user_notices(user.id), json.dumps({"kind": "repo_deleted", "repo": OLD}))
    client.hset(keys.meta_repo_disconnected(user.id), OLD, json.dumps({"reason": "deleted_on_github"}))


def billing_state(user):
    client = kv.get_client()
    client.set(keys.meta_dodo_subscription(user.id), json.dumps({"subscriptionId": "sub_1", "status": "on_hold"}))
    client.hset(keys.meta_dodo_payments(user.id), "pay_1", json.dumps({"paymentId": "pay_1"}))
    client.zadd(keys.meta_dodo_on_hold(), {user.id: 1767225600})


# --- one builder per registered class -----------------------------------------------------------

def build_user(alice):
    yield
    bob = make_user()
    everything_a_user_has(bob)
    yield User.get(bob.id)


def build_usage(alice):
    yield
    Usage(alice.id).increment("aiRewrites", 2)
    yield Usage(alice.id)


def build_dodo_ids(alice):
    yield
    DodoIds(alice.id).set_customer("cus_A")
    DodoIds(alice.id).set_subscription("sub_A")
    yield DodoIds(alice.id)


def build_billing_state(alice):
    yield
    billing_state(alice)
    yield BillingState(alice.id)


def build_repo(alice):
    yield
    yield make_repo(alice, name="octo-org/other", githubRepoId=GITHUB_ID + 1)


def build_github_token(alice):
    yield
    GitHubToken(alice.id).set("gho_token")
    kv.get_client().hset(keys.cache_github_pages(alice.id), "https://api.github.com/user/repos", "{}")
    yield GitHubToken(alice.id)


def build_entry(alice):
    widget = make_widget(alice, repo_id=OLD)
    yield
    entry = entry_with_everything(alice)
    kv.get_client().incr(keys.widget_entry_clicks(widget.id, entry.id))
    yield entry


def build_social_post(alice):
    entry = make_entry(alice, repo_id=OLD)
    yield
    yield make_social(alice, entry, "linkedin")


def build_entry_github_state(alice):
    entry = make_entry(alice, repo_id=OLD)
    yield
    entry_fields_mark_edited(entry_id=entry.id, fields=["title", "body"])
    kv.get_client().hset(keys.meta_entry_github(entry.id), mapping={"prUpdatedAt": "2026-03-09T12:00:00+00:00"})
    yield EntryGitHubState(entry.id)


def build_entry_github_loop(alice):
    entry = make_entry(alice, repo_id=OLD, status="published", publishedAt="2026-03-10T10:00:00Z",
                       prUrl=f"https://github.com/{OLD}/pull/7")
    yield
    github_loop.loop_write(entry=entry, numbers=[12, 13], credits={"author": {"login": "octocat"}, "coAuthors": [],
                                                                    "firstContribution": True})
    github_loop.fix_titles_write(entry=entry, titles={12: "Export fails on emoji", 13: None})
    github_loop.shipped_write(entry.id, {"state": "done", "targets": {"12": {"kind": "issue", "commentId": 1}}})
    yield EntryGitHubLoop(entry.id)


def build_subscriber(alice):
    yield
    subscriber = make_subscriber(repo_id=OLD, email="reader@example.com")
    kv.get_client().hset(keys.meta_subscriber(OLD, "reader@example.com"), mapping={"failures": "1"})
    yield subscriber


def build_repo_public_page(alice):
    from engagement.services import branding_update

    yield
    branding_update(user_id=alice.id, repo_id=OLD, name="Octo", accent_color="#1f6feb")
    yield RepoPublicPage(OLD)


def build_repo_shares(alice):
    yield
    make_subscriber(repo_id=OLD, email="reader@example.com")
    kv.get_client().hset(keys.meta_repo_branding(OLD), mapping={"name": "Octo"})
    yield RepoShares(OLD)


def build_page_views(alice):
    entry = make_entry(alice, repo_id=OLD)
    yield
    PageViews(entry.id).record(date(2026, 3, 9), "visitor-1")
    PageViews(entry.id).record(date(2026, 3, 10))
    yield PageViews(entry.id)


def build_visitor(alice):
    yield
    Visitor("visitor-9").touch("ent_x", "fingerprint")
    yield Visitor("visitor-9")


def build_entry_upvotes(alice):
    entry = make_entry(alice, repo_id=OLD)
    yield
    EntryUpvotes(entry.id).upvote("visitor-1")
    yield EntryUpvotes(entry.id)


def build_roadmap_item(alice):
    yield
    item = make_roadmap_item(alice, repo_id=OLD)
    RoadmapUpvotes(item.id).upvote("visitor-1")
    yield item


def build_roadmap_upvotes(alice):
    item = make_roadmap_item(alice, repo_id=OLD)
    yield
    RoadmapUpvotes(item.id).upvote("visitor-2")
    yield RoadmapUpvotes(item.id)


def build_widget_config(alice):
    entry = make_entry(alice, repo_id=OLD)
    yield
    yield widget_with_counters(alice, entry)


def build_widget_counters(alice):
    entry = make_entry(alice, repo_id=OLD)
    widget = make_widget(alice, repo_id=OLD)
    yield
    WidgetCounters(widget.id).impression()
    WidgetCounters(widget.id).click(entry.id)
    yield WidgetCounters.children_of(widget)[0]


def build_entry_widget_clicks(alice):
    entry = make_entry(alice, repo_id=OLD)
    widget = make_widget(alice, repo_id=OLD)
    yield
    kv.get_client().incr(keys.widget_entry_clicks(widget.id, entry.id))
    yield EntryWidgetClicks.children_of(entry)[0]


def build_repo_subscriptions(alice):
    yield
    kv.get_client().hset(keys.meta_repo_subscriptions(OLD), mapping={"digestWeekday": "0", "digestHour": "9"})
    kv.get_client().hincrby(keys.stat_subscriber_mail(OLD), "confirmations", 1)
    yield RepoSubscriptions.of_repo(kv.get_client(), OLD)[0]


def build_repo_view_stats(alice):
    yield
    today = datetime.now(timezone.utc).date().isoformat()
    kv.get_client().hset(keys.stat_repo_views_day(OLD, today), mapping={"views": "2", "uniques": "1"})
    kv.get_client().zincrby(keys.stat_repo_top_day(OLD, today), 2, "ent_x")
    yield RepoViewStats.of_repo(kv.get_client(), OLD)[0]


def build_roadmap_item_state(alice):
    item = make_roadmap_item(alice, repo_id=OLD)
    yield
    item_update(user_id=alice.id, roadmap_id=item.id, hidden=True)  # rewrites its column indexes too
    client = kv.get_client()
    client.hset(keys.meta_roadmap_watchers(item.id), "reader@example.com", "{}")
    client.sadd(keys.lock_roadmap_notified(item.id), "reader@example.com")
    yield RoadmapItemState.children_of(item)[0]


def build_roadmap_rules(alice):
    yield
    repo = Repo.get(alice.id, OLD)
    kv.get_client().set(keys.meta_roadmap_settings(alice.id, repo.githubRepoId), json.dumps({"label": "roadmap"}))
    yield RoadmapRules.children_of(repo)[0]


def build_user_notices(alice):
    yield
    repo_mark_deleted(repo_name=OLD)
    yield UserNotices(alice.id)


def build_repo_disconnected_mark(alice):
    yield
    kv.get_client().hset(keys.meta_repo_disconnected(alice.id), OLD, json.dumps({"reason": "deleted_on_github"}))
    yield RepoDisconnectedMark.of_repo(kv.get_client(), OLD, alice.id)[0]


def build_repo_sync_state(alice):
    yield
    release_save(repo_name=OLD, release=RELEASE)
    kv.get_client().hset(keys.meta_backfill(OLD), mapping={"state": "done", "pages": "2"})
    yield RepoSyncState.of_repo(kv.get_client(), OLD)[0]


BUILDERS = {
    User: build_user, Usage: build_usage, DodoIds: build_dodo_ids, BillingState: build_billing_state,
    Repo: build_repo, RepoShares: build_repo_shares, GitHubToken: build_github_token, Entry: build_entry,
    SocialPost: build_social_post,
    EntryGitHubState: build_entry_github_state, EntryGitHubLoop: build_entry_github_loop, Subscriber: build_subscriber, RepoPublicPage: build_repo_public_page,
    PageViews: build_page_views, Visitor: build_visitor, EntryUpvotes: build_entry_upvotes,
    RoadmapItem: build_roadmap_item, RoadmapUpvotes: build_roadmap_upvotes, WidgetConfig: build_widget_config,
    WidgetCounters: build_widget_counters, EntryWidgetClicks: build_entry_widget_clicks,
    UserNotices: build_user_notices, RepoDisconnectedMark: build_repo_disconnected_mark,
    RepoSyncState: build_repo_sync_state, RepoSubscriptions: build_repo_subscriptions,
    RoadmapItemState: build_roadmap_item_state, RoadmapRules: build_roadmap_rules,
    RepoViewStats: build_repo_view_stats,
}
CLASSES = sorted(BUILDERS, key=lambda cls: cls.__name__)


def keyspace(client):
    """Every key and its value, but for the keys that belong to no single record's family."""
    return {key: client.dump(key) for key in client.keys("*") if not key.startswith(NOT_A_FAMILY)}


def mentions(client, name):
    """Every key whose name, value, members or fields mention ``name``."""
    found = []
    for key in client.keys("*"):
        kind = client.type(key)
        content = {"string": lambda: [client.get(key)], "hash": lambda: list(client.hgetall(key).items()),
                   "set": lambda: list(client.smembers(key)), "zset": lambda: client.zrange(key, 0, -1),
                   "list": lambda: client.lrange(key, 0, -1)}[kind]()
        if name in key or name in json.dumps(content):
            found.append(key)
    return sorted(found)


@pytest.fixture
def alice(redis_db):
    user = make_user()
    make_repo(user, name=OLD, githubRepoId=GITHUB_ID)
    return user


def test_every_registered_class_has_a_family_builder():
    assert set(registry) == set(BUILDERS)


@pytest.mark.parametrize("record_class", CLASSES, ids=lambda cls: cls.__name__)
def test_deleting_a_record_leaves_no_key_of_its_family_behind(record_class, alice, redis_db):
    build = BUILDERS[record_class](alice)
    next(build)
    before = keyspace(redis_db)
    record = next(build)
    family = record.dependent_keys()
    assert keyspace(redis_db) != before, "the builder wrote nothing"

    record.delete()

    assert keyspace(redis_db) == before
    assert [key for key in family if redis_db.exists(key)] == []


@pytest.mark.parametrize("record_class", CLASSES, ids=lambda cls: cls.__name__)
def test_renaming_the_repository_leaves_nothing_of_the_family_under_the_old_name(record_class, alice, redis_db):
    for _ in BUILDERS[record_class](alice):
        pass
    named = {key for key in redis_db.keys("*") if OLD in key}

    repo_rename(github_repo_id=GITHUB_ID, new_name=NEW)

    assert mentions(redis_db, OLD) == [key for key in mentions(redis_db, OLD) if key.startswith("meta:notices:")]
    assert {key for key in redis_db.keys("*") if NEW in key} >= {key.replace(OLD, NEW) for key in named}


def test_deleting_a_user_reaches_every_class_of_its_family(alice, redis_db):
    """The walk from ``user:`` finds a record of every class that hangs off a user, directly or not."""
    everything_a_user_has(alice)
    reached, pending = set(), [User.get(alice.id)]
    while pending:
        record = pending.pop()
        reached.add(type(record))
        pending.extend(record.dependents())

    shared = set(registry.repo_scoped("repo"))  # reached through RepoShares when they have records
    assert reached - shared == {cls for cls in registry if cls.parent} | {User}
