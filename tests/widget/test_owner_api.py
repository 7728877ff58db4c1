"""GET, PUT /api/repos/{owner}/{repo}/widget/ and POST .../widget/regenerate/: the owner's widget."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client

from changelog_site.kv import keys
from tests.widget.conftest import REPO, reader
from widget.models import WidgetCounters

pytestmark = pytest.mark.django_db


def put(owner, payload, **extra):
    return Client().put(owner.url, data=json.dumps(payload), content_type="application/json",
                        **owner.headers, **extra)


def test_it_answers_404_until_a_widget_is_created(owner):
    response = Client().get(owner.url, **owner.headers)

    assert response.status_code == 404 and response.json()["code"] == "widget_not_found"


def test_it_creates_the_widget_with_defaults_on_put(owner, redis_db):
    response = put(owner, {})

    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("wgt_") and ":" not in body["id"]
    assert body["colors"] == {"primary": "#4f46e5", "background": "#ffffff", "text": "#111827"}
    assert (body["position"], body["size"], body["enabled"]) == ("bottom-right", "medium", True)
    assert body["embedSnippet"] == (f'<script src="http://testserver/widget.js" data-widget-id="{body["id"]}" '
                                    'async></script>')
    stored = json.loads(redis_db.get(f"widget:{owner.user.id}:{REPO}"))
    assert stored["id"] == body["id"] and set(stored) == {
        "id", "userId", "repoId", "colors", "position", "size", "options", "impressions", "clicks",
        "createdAt", "updatedAt"}


def test_it_updates_only_what_a_put_names_and_merges_colors(owner):
    created = put(owner, {}).json()

    response = put(owner, {"colors": {"primary": "#0f766e"}, "size": "large", "options": {"showDate": False}})

    body = response.json()
    assert response.status_code == 200 and body["id"] == created["id"]
    assert body["colors"] == {"primary": "#0f766e", "background": "#ffffff", "text": "#111827"}
    assert body["size"] == "large" and body["position"] == "bottom-right"
    assert body["options"] == {"showDate": False, "showCategory": True, "showNewBadge": True}


@pytest.mark.parametrize("payload, field", [
    ({"colors": {"primary": "red"}}, "colors"), ({"position": "center"}, "position"),
    ({"size": ""}, "size"), ({"options": {"showDate": "yes"}}, "options"), ({"enabled": 1}, "enabled"),
    ({"impressions": 100}, "impressions"), ({"colors": {"accent": "#000000"}}, "colors"),
])
def test_it_refuses_invalid_settings_with_the_field_named(owner, redis_db, payload, field):
    response = put(owner, payload)

    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert field in response.json()["errors"]
    assert redis_db.get(f"widget:{owner.user.id}:{REPO}") is None


def test_it_answers_404_for_a_repository_the_user_did_not_connect(owner):
    url = "/api/repos/someone/else/widget/"

    assert Client().put(url, data="{}", content_type="application/json", **owner.headers).status_code == 404
    assert Client().get(url, **owner.headers).status_code == 404


def test_it_requires_credentials(owner):
    response = Client().get(owner.url)

    assert response.status_code == 401


def test_it_shows_live_counters(owner):
    widget_id = put(owner, {}).json()["id"]
    WidgetCounters(widget_id).impression()
    WidgetCounters(widget_id).impression()
    WidgetCounters(widget_id).click(entry_id="ent_x")

    body = Client().get(owner.url, **owner.headers).json()

    assert (body["impressions"], body["clicks"]) == (2, 1)


def test_it_switches_the_public_widget_off_and_on(owner):
    widget_id = put(owner, {}).json()["id"]

    off = put(owner, {"enabled": False})
    gone = reader().get(f"/api/widget/{widget_id}")
    put(owner, {"enabled": True})

    assert off.json()["enabled"] is False and gone.status_code == 410
    assert reader().get(f"/api/widget/{widget_id}").status_code == 200


def test_it_regenerates_the_id_and_carries_the_figures_over(owner, redis_db):
    old = put(owner, {}).json()["id"]
    entry_id = redis_db.zrange(keys.idx_repo_entries(owner.user.id, REPO, "published"), 0, -1)[0]
    counters = WidgetCounters(old)
    counters.impression(day=date.today() - timedelta(days=3))
    counters.click(entry_id=entry_id, day=date.today() - timedelta(days=3))

    response = Client().post(owner.url + "regenerate/", **owner.headers)

    new = response.json()["id"]
    assert response.status_code == 200 and new != old
    assert (response.json()["impressions"], response.json()["clicks"]) == (1, 1)
    assert WidgetCounters(new).entry_clicks([entry_id]) == {entry_id: 1}
    assert WidgetCounters(new).days([date.today() - timedelta(days=3)])[date.today() - timedelta(days=3)] == {
        "impressions": 1, "clicks": 1, "entries": {entry_id: 1}}
    assert reader().get(f"/api/widget/{old}").status_code == 404
    assert not [key for key in redis_db.keys("*") if old in key]
