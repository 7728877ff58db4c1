import json
import re

import pytest
import responses
from django.contrib.auth import get_user_model

from billing.models import DodoIds, Usage
from changelog_site.kv.records import iso
from engagement.models import EntryUpvotes, PageViews
from repos.hook_secrets import HookSecret
from repos.models import Repo
from roadmap.models import RoadmapUpvotes
from tests.accounts_helpers import api, bearer, keyspace
from tests.factories import (GITHUB_TOKEN, make_account, make_entry, make_roadmap_item, make_social, make_subscriber,
                             make_widget)
from widget.models import WidgetCounters

pytestmark = pytest.mark.django_db


def populate(record, repo="acme/app", github_repo_id=77, hook_id=5):
    """One of everything, in all 15 collections."""
    from datetime import date

    Repo(userId=record.id, name=repo, githubRepoId=github_repo_id, webhookId=hook_id).save()
    HookSecret(github_repo_id).set("hook-secret")
    entry = make_entry(record, repo_id=repo, pr_id=1, status="published", publishedAt="2026-03-09T12:00:00Z")
    make_entry(record, repo_id=repo, pr_id=2)
    make_social(record, entry)
    widget = make_widget(record, repo_id=repo)
    WidgetCounters(widget.id).impression()
    WidgetCounters(widget.id).click(entry.id)
    make_subscriber(repo_id=repo, email=f"reader-{record.id}@example.com")
    PageViews(entry.id).record(date(2026, 3, 9), "visitor-1")
    EntryUpvotes(entry.id).upvote("visitor-1")
    item = make_roadmap_item(record, repo_id=repo, issue_id=3)
    RoadmapUpvotes(item.id).upvote("visitor-1")
    Usage(record.id).increment("entriesPublished")
    DodoIds(record.id).set_customer(f"cus_{record.id}")
    DodoIds(record.id).set_subscription(f"sub_{record.id}")


def test_it_shows_the_account(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", location="in", github_token=GITHUB_TOKEN)

    response = client.get("/api/me/", **bearer(django_user))

    assert response.json() == {"id": record.id, "email": "alice@example.com", "plan": "free",
                               "createdAt": iso(record.createdAt), "location": "in", "githubConnected": True,
                               "repos": [], "usage": {"entriesPublished": 0, "aiRewrites": 0}}
    assert GITHUB_TOKEN not in response.content.decode()


def test_it_works_with_the_session_too(client, redis_db):
    make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    client.login(username="alice@example.com", password="correct horse battery")

    assert client.get("/api/me/").status_code == 200


def test_it_exports_all_the_users_data_without_the_token(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    populate(record)

    response = client.get("/api/me/export/", **bearer(django_user))

    export = response.json()
    assert export["user"]["id"] == record.id
    assert [repo["name"] for repo in export["repos"]] == ["acme/app"]
    assert sorted(entry["prId"] for entry in export["entries"]) == [1, 2]
    assert len(export["socialPosts"]) == 1 and len(export["widgets"]) == 1 and len(export["roadmapItems"]) == 1
    assert export["widgets"][0]["impressions"] == 1
    assert export["subscribers"][0]["email"] == f"reader-{record.id}@example.com"
    assert "confirmToken" not in export["subscribers"][0]
    assert export["payments"]["customerId"] == f"cus_{record.id}"
    body = response.content.decode()
    assert GITHUB_TOKEN not in body and redis_db.get(f"user:{record.id}:github_token") not in body
    assert "hook-secret" not in body


def test_it_deletes_every_key_of_the_user_and_nothing_else(client, redis_db):
    bob_record, bob, _ = make_account(email="bob@example.com", github_token=GITHUB_TOKEN)
    populate(bob_record, repo="bob/tool", github_repo_id=88, hook_id=6)
    before = {key: redis_db.dump(key) for key in keyspace(redis_db)}
    alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    populate(alice_record)

    with responses.RequestsMock() as mock:
        hook = mock.delete(api("/repos/acme/app/hooks/5"), status=204)

        response = client.delete("/api/me/", **bearer(alice))

        assert len(hook.calls) == 1
    assert response.status_code == 204
    assert {key: redis_db.dump(key) for key in keyspace(redis_db)} == before
    assert not get_user_model().objects.filter(email="alice@example.com").exists()


def test_it_deletes_the_account_even_when_github_refuses_the_token(client, redis_db):
    alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    populate(alice_record)

    with responses.RequestsMock() as mock:
        mock.delete(api("/repos/acme/app/hooks/5"), status=401, json={"message": "Bad credentials"})

        response = client.delete("/api/me/", **bearer(alice))

    assert response.status_code == 204
    assert keyspace(redis_db) == set()


def test_it_keeps_a_shared_repositorys_hook_and_subscribers_for_the_team(client, redis_db):
    alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    bob_record, bob, _ = make_account(email="bob@example.com", github_token=GITHUB_TOKEN)
    populate(alice_record)
    Repo(userId=bob_record.id, name="acme/app", githubRepoId=77, webhookId=5).save()

    with responses.RequestsMock():
        client.delete("/api/me/", **bearer(alice))

    assert HookSecret(77).get() == "hook-secret"
    assert redis_db.exists(f"subscriber:acme/app:reader-{alice_record.id}@example.com")
    assert Repo.user_ids_for("acme/app") == [bob_record.id]


def test_it_deletes_the_account_from_settings_after_confirmation(client, redis_db):
    make_account(email="alice@example.com")
    client.login(username="alice@example.com", password="correct horse battery")

    refused = client.post("/dashboard/settings/delete-account/", {"confirm": "someone@else.com"})
    deleted = client.post("/dashboard/settings/delete-account/", {"confirm": "alice@example.com"})

    assert refused.status_code == 400
    assert deleted.status_code == 302
    assert redis_db.keys("*") == []
    assert not get_user_model().objects.exists()


def test_it_lists_what_it_exports_as_a_download(client, redis_db):
    _, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)

    response = client.get("/api/me/export/", **bearer(django_user))

    assert "attachment" in response["Content-Disposition"]
    json.loads(response.content)


def test_it_exports_and_deletes_the_users_sync_rules(client, redis_db):
    from github_sync.models import SyncSettings

    alice_record, alice, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    populate(alice_record)
    SyncSettings.objects.create(user_id=alice_record.id, github_repo_id=77, skip_label="no-changelog")
    SyncSettings.objects.create(user_id="user_someoneelseabcdefghijk", github_repo_id=77)

    export = client.get("/api/me/export/", **bearer(alice)).json()
    with responses.RequestsMock() as mock:
        mock.delete(api("/repos/acme/app/hooks/5"), status=204)
        client.delete("/api/me/", **bearer(alice))

    assert export["syncRules"][0]["skipLabel"] == "no-changelog"
    assert list(SyncSettings.objects.values_list("user_id", flat=True)) == ["user_someoneelseabcdefghijk"]


def test_the_overview_shows_what_github_told_us(client, redis_db):
    from github_sync.services.repositories import repo_mark_deleted

    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    populate(record)
    repo_mark_deleted(repo_name="acme/app")
    client.force_login(django_user)

    page = client.get("/dashboard/").content.decode()

    assert "acme/app was deleted on GitHub" in page


def test_the_repositories_page_shows_dates_people_read(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    populate(record)
    client.force_login(django_user)

    page = client.get("/dashboard/repositories/").content.decode()

    assert re.search(r'Connected <time datetime="[^"]+">[A-Z][a-z]{2} \d{1,2}, \d{4}</time>', page)
