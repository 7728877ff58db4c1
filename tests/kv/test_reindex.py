"""kv_reindex on a keyspace written by hand, only in the data document's formats."""

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Account, User
from billing.models import DodoIds, Usage
from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv.reindex import Reindexer
from engagement.models import PageViews, Subscriber, Visitor
from entries.models import Entry, SocialPost
from repos.models import GitHubToken, Repo
from roadmap.models import RoadmapItem, RoadmapUpvotes
from widget.models import WidgetConfig

ALICE = "user_2NNEqLXyZabcdefghijklmn"
BOB = "user_2PQbobXyZabcdefghijklmn"


def scan(match):
    return kv.get_client().scan_iter(match=match)


def put(client, key, value):
    client.set(key, json.dumps(value))


@pytest.fixture
def legacy_keyspace(redis_db):
    """What another implementation of the document leaves behind (e.g. a Vercel KV export)."""
    r = redis_db
    put(r, f"user:{ALICE}", {"id": ALICE, "email": "alice@example.com", "plan": "pro", "dodoCustomerId": "cus_A",
                             "githubToken": "gho_alice_plaintext", "createdAt": "2025-11-02T08:00:00.000Z",
                             "location": "in"})
    put(r, f"user:{BOB}", {"id": BOB, "email": "bob@example.com", "plan": "free", "createdAt": "2025-12-01T08:00:00Z"})
    r.set(f"user:{BOB}:github_token", "gho_bob_plaintext")
    r.set(f"user:{ALICE}:dodo_customer_id", "cus_A")
    r.set(f"user:{ALICE}:dodo_subscription_id", "sub_A")
    for user_id in (ALICE, BOB):
        put(r, f"repo:{user_id}:acme/api", {"id": "acme/api", "userId": user_id, "githubRepoId": 4242,
                                              "name": "acme/api", "slug": "acme-api", "isPrivate": False,
                                              "connectedAt": "2025-11-02T08:05:00Z", "webhookId": 99})
        r.set(f"repo:acme/api:users:{user_id}", user_id)
    for pr_id, status in ((1, "published"), (2, "draft"), (3, "draft")):
        put(r, f"entry:{ALICE}:acme/api:{pr_id}", {
            "id": f"ent_legacy{pr_id}", "userId": ALICE, "repoId": "acme/api", "prId": pr_id,
            "title": f"Change {pr_id}", "body": "", "category": "New", "status": status,
            "mergedAt": f"2026-01-0{pr_id}T10:00:00Z", "prUrl": f"https://github.com/acme/api/pull/{pr_id}",
            "author": "alice", "aiRewrite": None, "labels": []})
    put(r, f"usage:{ALICE}:2026-01", {"entriesPublished": 3, "aiRewrites": 1})
    put(r, f"social:{ALICE}:ent_legacy1:twitter", {"id": "soc_1", "entryId": "ent_legacy1", "userId": ALICE,
                                                   "platform": "twitter", "tweets": ["Shipped!"], "hashtags": [],
                                                   "createdAt": "2026-01-02T00:00:00Z"})
    put(r, f"widget:{ALICE}:acme/api", {"id": "wgt_legacy", "userId": ALICE, "repoId": "acme/api",
                                        "colors": {"primary": "#000000", "background": "#ffffff", "text": "#111111"},
                                        "position": "bottom-left", "size": "large",
                                        "options": {"showDate": True, "showCategory": False, "showNewBadge": True},
                                        "impressions": 0, "clicks": 0, "createdAt": "2026-01-01T00:00:00Z",
                                        "updatedAt": "2026-01-01T00:00:00Z"})
    r.set("widget:impressions:wgt_legacy", 17)
    put(r, "subscriber:acme/api:reader@example.com", {
        "email": "reader@example.com", "repoId": "acme/api", "subscribedAt": "2026-01-01T00:00:00Z",
        "confirmed": True, "confirmToken": "abc", "preferences": {"digest": True, "majorReleases": False,
                                                                   "allUpdates": False}})
    put(r, "analytics:views:ent_legacy1:2026-01-05", {"entryId": "ent_legacy1", "date": "2026-01-05", "views": 9,
                                                      "uniqueVisitors": 2, "visitorIds": ["v1", "v2"]})
    put(r, "analytics:visitor:v1", {"id": "v1", "fingerprint": "fp", "firstVisit": "2026-01-05",
                                    "lastVisit": "2026-01-06", "pageViews": 4, "entries": ["ent_legacy1"]})
    r.set("analytics:upvotes:ent_legacy1", 2)
    r.sadd("analytics:upvotes:ent_legacy1:voters", "v1", "v2")
    put(r, f"roadmap:{ALICE}:acme/api:12", {"id": "rmp_legacy", "userId": ALICE, "repoId": "acme/api",
                                            "issueId": 12, "title": "SSO", "body": "", "status": "in-progress",
                                            "upvotes": 1, "voterIds": ["v9"],
                                            "githubIssueUrl": "https://github.com/acme/api/issues/12",
                                            "labels": [], "createdAt": "2026-01-01T00:00:00Z",
                                            "updatedAt": "2026-01-01T00:00:00Z"})
    r.set("roadmap:upvotes:rmp_legacy", 1)
    r.set("roadmap:upvotes:rmp_legacy:voters", json.dumps(["v9"]))
    return r


def snapshot(client):
    state = {}
    for key in sorted(client.keys("*")):
        kind = client.type(key)
        state[key] = {"string": client.get, "hash": client.hgetall, "set": client.smembers,
                      "zset": lambda k: client.zrange(k, 0, -1, withscores=True)}[kind](key)
    return state


@pytest.mark.django_db
def test_it_makes_every_legacy_record_listable(legacy_keyspace):
    Reindexer().run(scan=scan)

    assert sorted(User.all_ids()) == sorted([ALICE, BOB])
    assert [repo.name for repo in Repo.for_user(ALICE)] == ["acme/api"]
    assert Repo.user_ids_for("acme/api") == sorted([ALICE, BOB])
    assert Repo.name_for_github_id(4242) == "acme/api"
    drafts, _ = Entry.page(ALICE, "draft", repo_id="acme/api")
    assert [entry.prId for entry in drafts] == [3, 2]
    assert Entry.count(ALICE, "published") == 1
    assert Entry.get_by_id("ent_legacy1").title == "Change 1"
    assert [post.platform for post in SocialPost.for_entry(ALICE, "ent_legacy1")] == ["twitter"]
    assert WidgetConfig.get_by_id("wgt_legacy").with_live_counts().impressions == 17
    assert [s.email for s in Subscriber.for_repo("acme/api")] == ["reader@example.com"]
    assert [d["views"] for d in PageViews("ent_legacy1").days()] == [9]
    assert RoadmapItem.get_by_id("rmp_legacy").status == "in-progress"
    assert [item.issueId for item in RoadmapItem.for_repo(ALICE, "acme/api")] == [12]
    assert DodoIds.user_id_for_customer("cus_A") == ALICE


@pytest.mark.django_db
def test_it_converts_legacy_value_forms(legacy_keyspace):
    r = legacy_keyspace

    Reindexer().run(scan=scan)

    assert r.type(f"usage:{ALICE}:2026-01") == "hash"
    assert Usage(ALICE, "2026-01").get() == {"entriesPublished": 3, "aiRewrites": 1}
    assert r.type("analytics:views:ent_legacy1:2026-01-05") == "hash"
    assert PageViews("ent_legacy1").record(date(2026, 1, 5), "v3") == (10, 3)
    assert Visitor("v1").get()["entries"] == ["ent_legacy1"]
    assert r.type("roadmap:upvotes:rmp_legacy:voters") == "set"
    assert RoadmapUpvotes("rmp_legacy").upvote("v9") == (False, 1)


@pytest.mark.django_db
def test_it_encrypts_plaintext_github_tokens(legacy_keyspace):
    r = legacy_keyspace

    Reindexer().run(scan=scan)

    assert "githubToken" not in json.loads(r.get(f"user:{ALICE}"))
    assert crypto.is_encrypted(r.get(f"user:{ALICE}:github_token"))
    assert GitHubToken(ALICE).get() == "gho_alice_plaintext"
    assert GitHubToken(BOB).get() == "gho_bob_plaintext"


@pytest.mark.django_db
def test_it_links_or_creates_django_accounts_by_email(legacy_keyspace):
    User_ = get_user_model()
    existing = User_.objects.create_user(username="bob", email="BOB@example.com", password="pw-123456")

    stats = Reindexer().run(scan=scan)

    assert Account.objects.get(shiplog_user_id=BOB).user == existing
    alice = Account.objects.get(shiplog_user_id=ALICE).user
    assert alice.email == "alice@example.com" and not alice.has_usable_password()
    assert stats["accounts:created"] == 1 and stats["accounts:linked"] == 1


@pytest.mark.django_db
def test_it_is_idempotent(legacy_keyspace):
    Reindexer().run(scan=scan)
    first = snapshot(legacy_keyspace)

    stats = Reindexer().run(scan=scan)

    assert snapshot(legacy_keyspace) == first
    assert not any(name.startswith("converted:") for name in stats)
    assert stats["accounts:kept"] == 2
    assert get_user_model().objects.count() == 2


@pytest.mark.django_db
def test_it_prunes_index_members_whose_record_is_gone(legacy_keyspace):
    Reindexer().run(scan=scan)
    legacy_keyspace.delete(f"entry:{ALICE}:acme/api:2", f"repo:{BOB}:acme/api", f"repo:acme/api:users:{BOB}")

    Reindexer().run(scan=scan)

    assert Entry.get_by_id("ent_legacy2") is None
    assert [entry.prId for entry in Entry.page(ALICE, "draft")[0]] == [3]
    assert Repo.user_ids_for("acme/api") == [ALICE]
    assert Repo.for_user(BOB) == []


@pytest.mark.django_db
def test_it_reports_unreadable_records_without_stopping(legacy_keyspace):
    legacy_keyspace.set(f"entry:{ALICE}:acme/api:77", "{not json")

    reindexer = Reindexer()
    reindexer.run(scan=scan)

    assert [key for key, _ in reindexer.problems] == [f"entry:{ALICE}:acme/api:77"]
    assert Entry.count(ALICE, "draft") == 2


@pytest.mark.django_db
def test_the_command_prints_what_it_did(legacy_keyspace, capsys):
    call_command("kv_reindex")

    output = capsys.readouterr().out
    assert "keys:entry" in output and "accounts:created" in output and "Done." in output
