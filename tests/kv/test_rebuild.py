"""``idx:`` holds only what kv_reindex rebuilds: deleting every ``idx:`` key and running it gives
back exactly the indexes the app maintains, and leaves ``meta:`` and the document's keys alone.
Old deployments' ``idx:`` copies of what now lives under ``meta:`` are carried over."""

import json
from datetime import date

import pytest

from billing.models import DodoIds, Usage
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.reindex import Reindexer
from engagement.models import EntryUpvotes, PageViews, Visitor
from engagement.services import branding_update
from entries.services import entry_fields_mark_edited
from github_sync.services.releases import release_save
from github_sync.services.repositories import repo_mark_deleted
from repos.models import GitHubToken
from roadmap.models import RoadmapUpvotes
from tests.factories import (make_entry, make_repo, make_roadmap_item, make_social, make_subscriber, make_user,
                             make_widget)
from widget.models import WidgetCounters

pytestmark = pytest.mark.django_db

ALICE, BOB = "user_2NNEqLXyZabcdefghijklmn", "user_2PQbobXyZabcdefghijklmn"
SHARED, OWN = "acme/api", "alice/site"


def scan(match):
    return kv.get_client().scan_iter(match=match)


def state(client, match="*"):
    """Every key's type and value (compared by content, not by Redis's internal encoding)."""
    read = {"string": client.get, "hash": client.hgetall, "set": client.smembers,
            "list": lambda k: client.lrange(k, 0, -1), "zset": lambda k: client.zrange(k, 0, -1, withscores=True)}
    return {key: (client.type(key), read[client.type(key)](key)) for key in client.scan_iter(match=match)}


def split(snapshot):
    indexes = {key: value for key, value in snapshot.items() if key.startswith("idx:")}
    return indexes, {key: value for key, value in snapshot.items() if not key.startswith("idx:")}


@pytest.fixture
def every_collection(redis_db):
    """Two users with seed-style ids and a record in every collection, written by the app's code."""
    alice = make_user(id=ALICE, email="alice@example.com", plan="pro", dodoCustomerId="cus_A")
    bob = make_user(id=BOB, email="bob@example.com")
    for user in (alice, bob):
        make_repo(user, name=SHARED, githubRepoId=4242)
    make_repo(alice, name=OWN, githubRepoId=4343)
    published = make_entry(alice, repo_id=SHARED, pr_id=1, status="published", publishedAt="2026-03-10T10:00:00Z")
    make_entry(alice, repo_id=SHARED, pr_id=2)
    make_entry(bob, repo_id=SHARED, pr_id=1, status="published", publishedAt="2026-03-11T10:00:00Z")
    make_entry(alice, repo_id=OWN, pr_id=9, mergedAt="2026-01-05T08:00:00Z")
    make_social(alice, published)
    make_social(alice, published, "linkedin")
    widget = make_widget(alice, repo_id=SHARED)
    WidgetCounters(widget.id).impression()
    WidgetCounters(widget.id).click(published.id)
    make_subscriber(repo_id=SHARED, email="reader@example.com")
    make_subscriber(repo_id=OWN, email="fan@example.com", confirmed=True)
    PageViews(published.id).record(date(2026, 3, 9), "v1")
    PageViews(published.id).record(date(2026, 3, 10), "v2")
    Visitor("v1").touch(published.id, "fingerprint")
    EntryUpvotes(published.id).upvote("v1")
    item = make_roadmap_item(alice, repo_id=SHARED, issue_id=12)
    RoadmapUpvotes(item.id).upvote("v1")
    Usage(ALICE).increment("entriesPublished")
    DodoIds(ALICE).set_customer("cus_A")
    DodoIds(ALICE).set_subscription("sub_A")
    client = kv.get_client()
    client.set(keys.meta_dodo_subscription(ALICE), json.dumps({"subscriptionId": "sub_A", "status": "on_hold"}))
    client.hset(keys.meta_dodo_payments(ALICE), "pay_1", json.dumps({"paymentId": "pay_1"}))
    client.zadd(keys.meta_dodo_on_hold(), {ALICE: 1767225600})
    GitHubToken(ALICE).set("gho_alice")
    entry_fields_mark_edited(entry_id=published.id, fields=["title"])
    client.hset(keys.meta_entry_github(published.id), mapping={"revert": "0"})
    branding_update(user_id=ALICE, repo_id=SHARED, name="Acme", accent_color="#1f6feb")
    release_save(repo_name=SHARED, release={"id": 7, "tagName": "v1", "name": None, "htmlUrl": None,
                                            "publishedAt": "2026-03-12T00:00:00Z"})
    client.hset(keys.meta_backfill(OWN), mapping={"state": "done"})
    repo_mark_deleted(repo_name=OWN)
    return client


def test_kv_reindex_changes_nothing_on_a_keyspace_the_app_wrote(every_collection):
    before = state(every_collection)

    Reindexer().run(scan=scan)

    assert state(every_collection) == before


def test_dropping_every_idx_key_and_reindexing_gives_the_same_keyspace(every_collection):
    indexes, everything_else = split(state(every_collection))
    assert {key.split(":")[1] for key in indexes} >= {
        "users", "user-repos", "user-related-repos", "repo-users", "github-repo", "entries", "entry", "view-days",
        "widget", "social", "subscribers", "roadmap-items", "roadmap", "dodo-customer"}
    every_collection.delete(*indexes)

    stats = Reindexer().run(scan=scan)

    assert split(state(every_collection)) == (indexes, everything_else)
    assert stats["problems"] == 0


def test_it_carries_an_old_deployments_idx_copies_over_to_meta(redis_db):
    client = redis_db
    client.set("idx:repo-branding:acme/api", '{"name":"Acme"}')
    client.hset("idx:entry-github:ent_1", mapping={"revert": "1"})
    client.sadd("idx:entry-edited:ent_1", "title")
    client.zadd("idx:dodo-on-hold", {ALICE: 10})
    client.lpush("idx:notices:" + ALICE, "older")
    client.lpush(keys.meta_user_notices(ALICE), "newer")  # written since the upgrade
    client.hset("idx:release-data:acme/api", mapping={"7": "old", "8": "kept"})
    client.hset(keys.meta_repo_release_data("acme/api"), "7", "new")

    Reindexer().run(scan=scan)
    carried = state(client)
    Reindexer().run(scan=scan)

    assert state(client) == carried
    assert client.keys("idx:*") == []
    assert client.get(keys.meta_repo_branding("acme/api")) == '{"name":"Acme"}'
    assert client.hgetall(keys.meta_entry_github("ent_1")) == {"revert": "1"}
    assert client.smembers(keys.meta_entry_edited("ent_1")) == {"title"}
    assert client.zscore(keys.meta_dodo_on_hold(), ALICE) == 10
    assert client.lrange(keys.meta_user_notices(ALICE), 0, -1) == ["newer", "older"]
    assert client.hgetall(keys.meta_repo_release_data("acme/api")) == {"7": "new", "8": "kept"}
