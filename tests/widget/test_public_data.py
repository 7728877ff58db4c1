"""GET /api/widget/{widgetId}: public JSON, CORS, no cookies, ETag/304, the cached body and its
invalidation, 404/410."""

import json

import pytest
from django.core.management import call_command

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from engagement import read_model
from tests.factories import make_repo, make_user
from tests.widget.conftest import REPO, publish, reader
from widget import services

pytestmark = pytest.mark.django_db


def test_it_serves_the_config_and_the_latest_published_entries(site):
    response = reader().get(site.data_url)

    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert {key: body[key] for key in ("id", "repoId", "position", "size")} == {
        "id": site.widget.id, "repoId": REPO, "position": "bottom-right", "size": "medium"}
    assert body["colors"] == site.widget.colors and body["options"] == site.widget.options
    assert [entry["prId"] for entry in body["entries"]] == [3, 2, 1]
    assert body["entries"][0]["url"] == "http://testserver/changelog/octo-org/octo-repo/3/"
    assert body["changelogUrl"] == "http://testserver/changelog/octo-org/octo-repo/"
    assert "userId" not in body and "impressions" not in body


def test_it_answers_any_origin_without_cookies_and_lets_a_cdn_cache_it(site, client):
    client.cookies["sessionid"] = "a-session-the-endpoint-must-ignore"
    client.cookies["csrftoken"] = "x" * 32

    response = client.get(site.data_url, HTTP_ORIGIN="https://customer.example")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies and "Set-Cookie" not in str(response.serialize_headers())


def test_it_answers_304_to_its_etag(site):
    first = reader().get(site.data_url)

    again = reader(HTTP_IF_NONE_MATCH=first["ETag"]).get(site.data_url)

    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Access-Control-Allow-Origin"] == "*"


def test_it_answers_a_cache_hit_in_one_round_trip_and_in_two_on_first_sight(site, redis_writes, monkeypatch):
    reader().get(site.data_url)
    redis_writes.clear()
    hit = reader().get(site.data_url)
    known = len(redis_writes)
    monkeypatch.setattr(services, "_known_config_keys", {})  # a process that never saw this widget
    redis_writes.clear()
    first_sight = reader().get(site.data_url)

    assert hit.status_code == first_sight.status_code == 200
    assert (known, len(redis_writes)) == (1, 2)


def test_it_follows_a_widget_whose_repository_was_renamed(site, redis_db):
    reader().get(site.data_url)
    renamed = "octo-org/renamed"
    make_repo(site.user, name=renamed)
    publish(site.user, 7, repo_id=renamed, title="After the rename")
    widget = site.widget
    with kv.atomic() as pipe:
        pipe.delete(widget.key())
        widget.repoId = renamed
        widget.save(pipe=pipe)

    response = reader().get(site.data_url)

    assert response.status_code == 200 and response.json()["repoId"] == renamed
    assert [entry["title"] for entry in response.json()["entries"]] == ["After the rename"]


@pytest.mark.parametrize("change", ["publish", "unpublish", "edit", "config"])
def test_it_never_serves_a_body_older_than_the_last_write(site, change):
    before = reader().get(site.data_url)
    if change == "publish":
        publish(site.user, 4, title="Brand new")
    elif change == "unpublish":
        entry = site.entries[2]
        entry.status, entry.publishedAt = "draft", None
        entry.save()
    elif change == "edit":
        site.entries[2].title = "Dark mode, renamed"
        site.entries[2].save()
    else:
        services.widget_save(user_id=site.user.id, repo_id=REPO, changes={"position": "top-left"})

    after = reader(HTTP_IF_NONE_MATCH=before["ETag"]).get(site.data_url)

    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    body = after.json()
    expected = {"publish": lambda: body["entries"][0]["title"] == "Brand new",
                "unpublish": lambda: [e["prId"] for e in body["entries"]] == [2, 1],
                "edit": lambda: body["entries"][0]["title"] == "Dark mode, renamed",
                "config": lambda: body["position"] == "top-left"}
    assert expected[change]()


def test_it_answers_404_json_for_an_unknown_id(redis_db):
    response = reader().get("/api/widget/wgt_doesnotexist")

    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_it_stops_answering_a_regenerated_id_at_once(site):
    reader().get(site.data_url)

    renewed = services.widget_regenerate(user_id=site.user.id, repo_id=REPO)

    assert reader().get(site.data_url).status_code == 404
    assert reader().get(f"/api/widget/{renewed.id}").json()["id"] == renewed.id


def test_it_answers_410_and_never_the_config_once_disabled(site):
    reader().get(site.data_url)

    services.widget_set_enabled(user_id=site.user.id, repo_id=REPO, enabled=False)
    response = reader().get(site.data_url)

    assert response.status_code == 410
    assert response.json() == {"code": "widget_disabled", "detail": "The owner of this widget has switched it off."}


def test_it_serves_a_widget_another_implementation_wrote_after_kv_reindex(redis_db):
    user = make_user()
    redis_db.set(f"repo:{user.id}:{REPO}", json.dumps({
        "id": REPO, "userId": user.id, "githubRepoId": 42, "name": REPO, "slug": "octo-org-octo-repo",
        "isPrivate": False, "connectedAt": "2026-01-05T08:00:00.000Z"}))
    publish(user, 5)
    redis_db.set(f"widget:{user.id}:{REPO}", json.dumps({
        "id": "w_legacy123", "userId": user.id, "repoId": REPO,
        "colors": {"primary": "#ff0000", "background": "#000000", "text": "#ffffff"},
        "position": "top-left", "size": "large",
        "options": {"showDate": False, "showCategory": True, "showNewBadge": False},
        "impressions": 12, "clicks": 3, "createdAt": "2026-01-05T08:00:00.000Z",
        "updatedAt": "2026-01-06T08:00:00.000Z"}))
    redis_db.delete(keys.idx_widget("w_legacy123"))

    call_command("kv_reindex", verbosity=0)
    response = reader().get("/api/widget/w_legacy123")

    assert response.status_code == 200
    body = response.json()
    assert body["colors"]["primary"] == "#ff0000" and body["size"] == "large"
    assert [entry["prId"] for entry in body["entries"]] == [5]


def test_it_refuses_an_index_entry_left_pointing_at_a_regenerated_widget(site):
    redis_db = kv.get_client()
    redis_db.set(keys.idx_widget("wgt_stale"), keys.widget(site.user.id, REPO))

    assert reader().get("/api/widget/wgt_stale").status_code == 404


def test_it_answers_503_with_cors_when_redis_is_down(site, settings):
    from changelog_site.kv.client import make_client, use_client

    with use_client(make_client("redis://127.0.0.1:1/0", connect_timeout=0.2)):
        response = reader().get(site.data_url)

    assert response.status_code == 503 and response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["code"] == "storage_unavailable"


def test_it_refuses_writes_to_the_data_endpoint(site):
    response = reader().post(site.data_url)

    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


def test_it_reads_only_the_entries_it_shows_when_it_rebuilds(site, monkeypatch):
    for pr_id in range(5, 5 + services.ENTRY_LIMIT + 5):
        publish(site.user, pr_id)
    read = []
    original = read_model.published_page
    monkeypatch.setattr(read_model, "published_page",
                        lambda **kwargs: read.append(kwargs["limit"]) or original(**kwargs))

    body = reader().get(site.data_url).json()

    assert len(body["entries"]) == services.ENTRY_LIMIT
    assert sum(read) <= services.ENTRY_LIMIT
