"""The entries API through Django's test client, authenticated with a personal API token."""

from datetime import datetime, timezone

import pytest
import time_machine

from billing.models import Usage
from entries.models import Entry
from tests.factories import make_entry

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
pytestmark = pytest.mark.django_db


def test_it_lists_drafts_newest_first_with_a_cursor(client, account):
    user, _, auth = account()
    for n in range(1, 6):
        make_entry(user, pr_id=n, mergedAt=f"2026-03-0{n}T10:00:00Z")

    first = client.get("/api/entries/?status=draft&limit=3", **auth).json()
    second = client.get(f"/api/entries/?status=draft&limit=3&cursor={first['next']}", **auth).json()

    assert [e["prId"] for e in first["results"]] == [5, 4, 3]
    assert [e["prId"] for e in second["results"]] == [2, 1] and second["next"] is None


def test_it_filters_by_repo(client, account):
    user, _, auth = account()
    make_entry(user, repo_id="acme/api", pr_id=1)
    make_entry(user, repo_id="acme/web", pr_id=2)

    response = client.get("/api/entries/?repo=acme/web", **auth)

    assert [e["repoId"] for e in response.json()["results"]] == ["acme/web"]


def test_it_rejects_a_bad_status_and_a_forged_cursor(client, account):
    _, _, auth = account()

    bad_status = client.get("/api/entries/?status=archived", **auth)
    bad_cursor = client.get("/api/entries/?cursor=%%%", **auth)

    assert bad_status.status_code == 400 and "status" in bad_status.json()["errors"]
    assert bad_cursor.status_code == 400 and bad_cursor.json()["code"] == "invalid"


def test_it_patches_an_entry(client, account):
    user, _, auth = account()
    entry = make_entry(user)

    response = client.patch(f"/api/entries/{entry.id}/", {"title": "Dark mode", "category": "Improved"},
                            content_type="application/json", **auth)

    assert response.status_code == 200
    assert response.json()["title"] == "Dark mode"
    assert Entry.get_by_id(entry.id).category == "Improved"


@pytest.mark.parametrize("payload, field", [({"category": "Breaking"}, "category"), ({"title": ""}, "title"),
                                            ({"title": "x" * 301}, "title"), ({"body": "x" * 70000}, "body"),
                                            ({"textSource": "robot"}, "textSource")])
def test_it_rejects_invalid_patches_and_changes_nothing(client, account, payload, field):
    user, _, auth = account()
    entry = make_entry(user)

    response = client.patch(f"/api/entries/{entry.id}/", payload, content_type="application/json", **auth)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Entry.get_by_id(entry.id) == entry


def test_it_rejects_an_empty_patch_and_malformed_json(client, account):
    user, _, auth = account()
    entry = make_entry(user)

    empty = client.patch(f"/api/entries/{entry.id}/", {}, content_type="application/json", **auth)
    malformed = client.patch(f"/api/entries/{entry.id}/", "{oops", content_type="application/json", **auth)

    assert empty.status_code == 400 and malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_request"


@time_machine.travel(MARCH, tick=False)
def test_it_publishes_and_answers_402_at_the_limit(client, account):
    user, _, auth = account()
    Usage(user.id, "2026-03").increment("entriesPublished", 9)
    first, second = make_entry(user), make_entry(user)

    ok = client.post(f"/api/entries/{first.id}/publish/", **auth)
    refused = client.post(f"/api/entries/{second.id}/publish/", **auth)

    assert ok.status_code == 200 and ok.json()["status"] == "published"
    assert refused.status_code == 402
    body = refused.json()
    assert body["code"] == "plan_limit_reached"
    assert body["errors"]["limit"] == 10 and body["errors"]["usage"] == 10 and "upgradeUrl" in body["errors"]


@time_machine.travel(MARCH, tick=False)
def test_it_unpublishes_rewrites_and_reports_usage(client, account):
    user, _, auth = account()
    entry = make_entry(user, title="feat: add search", body="Search across all entries.")
    client.post(f"/api/entries/{entry.id}/publish/", **auth)

    unpublished = client.post(f"/api/entries/{entry.id}/unpublish/", **auth)
    rewritten = client.post(f"/api/entries/{entry.id}/rewrite/", **auth)
    usage = client.get("/api/usage/", **auth)

    assert unpublished.json()["status"] == "draft"
    assert rewritten.json()["aiRewrite"] == "You can now use search. Search across all entries."
    assert usage.json() == {"plan": "free", "month": "2026-03",
                            "usage": {"entriesPublished": 1, "aiRewrites": 1},
                            "limits": {"entriesPublished": 10, "aiRewrites": 5},
                            "remaining": {"entriesPublished": 9, "aiRewrites": 4}}


def test_it_deletes_an_entry(client, account):
    user, _, auth = account()
    entry = make_entry(user)

    response = client.delete(f"/api/entries/{entry.id}/", **auth)

    assert response.status_code == 204
    assert Entry.get_by_id(entry.id) is None


@pytest.mark.parametrize("method, suffix", [("get", ""), ("patch", ""), ("delete", ""), ("post", "publish/"),
                                            ("post", "unpublish/"), ("post", "rewrite/")])
def test_another_users_entry_is_a_404_on_every_endpoint(client, account, method, suffix):
    owner, _, _ = account()
    _, _, intruder_auth = account()
    entry = make_entry(owner)

    response = getattr(client, method)(f"/api/entries/{entry.id}/{suffix}", {"title": "x"} if method == "patch" else None,
                                       content_type="application/json", **intruder_auth)

    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Entry.get_by_id(entry.id) == entry


def test_another_users_entries_never_appear_in_lists(client, account):
    owner, _, _ = account()
    _, _, intruder_auth = account()
    make_entry(owner)

    assert client.get("/api/entries/", **intruder_auth).json()["results"] == []


def test_it_needs_credentials(client):
    response = client.get("/api/entries/")

    assert response.status_code == 401


def test_it_rate_limits_rewrites_per_user(client, account, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ai-rewrite": (2, 60)}
    user, _, auth = account(plan="pro")
    entry = make_entry(user)

    statuses = [client.post(f"/api/entries/{entry.id}/rewrite/", **auth).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    limited = client.post(f"/api/entries/{entry.id}/rewrite/", **auth)
    assert limited.json()["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1


def test_the_openapi_schema_describes_the_entries_api(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/entries/", "/api/entries/{entry_id}/", "/api/entries/{entry_id}/publish/",
            "/api/usage/"} <= set(paths)
