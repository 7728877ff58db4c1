"""A keyspace written by hand in the data document's formats (seed-style ids, ISO timestamps),
indexed by ``kv_reindex`` as an import would be, and the staff who look at it."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from billing.models import current_month
from changelog_site import crypto

ALICE = "user_2NNEqLkFqTtZ9xWbPj3mRcVhYa"
BOB = "user_2PQrsTuVwXyZ1a2b3c4d5e6f7g"
REPO = "acme/web"
OTHER_REPO = "acme/api"
ENTRY = "ent_2NNEqLqP8wRkT3vYcXz1aBcD"
DRAFT = "ent_2NNEqLdRaFt0000000000000"
BOB_ENTRY = "ent_2PQrsTbObEnTrY0000000000"
WIDGET = "wgt_2NNEqLwIdGeT000000000000"
ROADMAP = "rmp_2NNEqLrOaDmAp00000000000"
SUBSCRIBER = "reader@example.com"
PENDING = "pending@example.com"


def put(client, key, value):
    client.set(key, json.dumps(value, separators=(",", ":")))


def entry(user_id, repo_id, pr_id, entry_id, title, status, merged_at, **more):
    return {"id": entry_id, "userId": user_id, "repoId": repo_id, "prId": pr_id, "title": title,
            "body": "Adds a dark theme to every page.", "category": "New", "status": status, "mergedAt": merged_at,
            "prUrl": f"https://github.com/{repo_id}/pull/{pr_id}", "author": "octocat", "aiRewrite": None,
            "labels": ["enhancement"], **more}


@pytest.fixture
def keyspace(redis_db, db):
    """Two users, Alice (Pro, paying through Dodo, with a token) and Bob (free), and one record of
    every collection of the document, then ``kv_reindex``."""
    r = redis_db
    put(r, f"user:{ALICE}", {"id": ALICE, "email": "alice@example.com", "plan": "pro", "dodoCustomerId": "cus_2NNE",
                             "createdAt": "2026-01-15T09:30:00Z", "location": "intl"})
    put(r, f"user:{BOB}", {"id": BOB, "email": "bob@example.com", "plan": "free", "createdAt": "2026-02-01T12:00:00Z"})
    r.set(f"user:{ALICE}:dodo_customer_id", "cus_2NNE")
    r.set(f"user:{ALICE}:dodo_subscription_id", "sub_2NNE")
    r.set(f"user:{ALICE}:github_token", crypto.encrypt("gho_alicesecrettoken"))
    for user_id, repo_id, github_id in ((ALICE, REPO, 5001), (BOB, OTHER_REPO, 5002)):
        put(r, f"repo:{user_id}:{repo_id}", {"id": repo_id, "userId": user_id, "githubRepoId": github_id,
                                             "name": repo_id, "slug": repo_id.replace("/", "-"), "isPrivate": False,
                                             "connectedAt": "2026-01-15T09:45:00Z", "webhookId": 77})
        r.set(f"repo:{repo_id}:users:{user_id}", user_id)
    put(r, f"entry:{ALICE}:{REPO}:42", entry(ALICE, REPO, 42, ENTRY, "Dark mode everywhere", "published",
                                             "2026-03-09T12:00:00Z", publishedAt="2026-03-10T08:00:00Z"))
    put(r, f"entry:{ALICE}:{REPO}:43", entry(ALICE, REPO, 43, DRAFT, "Faster search", "draft", "2026-03-11T12:00:00Z"))
    put(r, f"entry:{BOB}:{OTHER_REPO}:7", entry(BOB, OTHER_REPO, 7, BOB_ENTRY, "Fix login loop", "draft",
                                                "2026-02-20T16:00:00Z"))
    r.hset(f"usage:{ALICE}:{current_month()}", mapping={"entriesPublished": 4, "aiRewrites": 2})
    put(r, f"social:{ALICE}:{ENTRY}:twitter", {"id": "soc_2NNEqLsOcIaL000000000000", "entryId": ENTRY, "userId": ALICE,
                                               "platform": "twitter", "tweets": ["Dark mode is here."],
                                               "hashtags": ["changelog"], "tone": "excited",
                                               "createdAt": "2026-03-10T09:00:00Z"})
    put(r, f"widget:{ALICE}:{REPO}", {"id": WIDGET, "userId": ALICE, "repoId": REPO,
                                      "colors": {"primary": "#4f46e5", "background": "#ffffff", "text": "#111827"},
                                      "position": "bottom-right", "size": "medium",
                                      "options": {"showDate": True, "showCategory": True, "showNewBadge": True},
                                      "impressions": 0, "clicks": 0, "createdAt": "2026-01-20T10:00:00Z",
                                      "updatedAt": "2026-01-20T10:00:00Z"})
    r.set(f"widget:impressions:{WIDGET}", 120)
    r.set(f"widget:clicks:{WIDGET}", 9)
    for email, confirmed in ((SUBSCRIBER, True), (PENDING, False)):
        put(r, f"subscriber:{REPO}:{email}", {"email": email, "repoId": REPO, "subscribedAt": "2026-03-01T07:00:00Z",
                                              "confirmed": confirmed, "confirmToken": f"tok_{email.split('@')[0]}",
                                              "preferences": {"digest": True, "majorReleases": True,
                                                              "allUpdates": False}})
    put(r, f"analytics:views:{ENTRY}:2026-03-10", {"entryId": ENTRY, "date": "2026-03-10", "views": 31,
                                                   "uniqueVisitors": 2, "visitorIds": ["v1", "v2"]})
    r.set(f"analytics:upvotes:{ENTRY}", 5)
    r.sadd(f"analytics:upvotes:{ENTRY}:voters", "v1", "v2", "v3", "v4", "v5")
    put(r, f"roadmap:{ALICE}:{REPO}:12", {"id": ROADMAP, "userId": ALICE, "repoId": REPO, "issueId": 12,
                                          "title": "Single sign-on", "body": "SAML please", "status": "planned",
                                          "upvotes": 3, "voterIds": ["v1", "v2", "v3"],
                                          "githubIssueUrl": f"https://github.com/{REPO}/issues/12",
                                          "labels": ["enhancement"], "createdAt": "2026-02-01T00:00:00Z",
                                          "updatedAt": "2026-02-01T00:00:00Z"})
    call_command("kv_reindex", stdout=open("/dev/null", "w"))
    return r


@pytest.fixture
def staff(client, django_user_model):
    """A signed-in superuser (every permission)."""
    user = django_user_model.objects.create_superuser("root", "root@shiplog.test", "pw-root-123")
    client.force_login(user)
    return user


@pytest.fixture
def limited_staff(client, django_user_model):
    """A signed-in staff member with only the permissions given."""

    def build(*codenames):
        user = django_user_model.objects.create_user("helper", "helper@shiplog.test", "pw-helper-123", is_staff=True)
        for codename in codenames:
            app_label, name = codename.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))
        client.force_login(user)
        return user

    return build
