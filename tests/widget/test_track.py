"""POST /api/widget/{widgetId}/track: the readers' beacon."""

import json
from datetime import datetime, timezone

import pytest
from django.test import Client

from changelog_site.kv import keys
from tests.factories import make_entry, make_repo, make_user
from tests.widget.conftest import BROWSER, REPO, reader
from widget import services

pytestmark = pytest.mark.django_db


def today():
    return datetime.now(timezone.utc).date().isoformat()


def beacon(site, payload, content_type="text/plain;charset=UTF-8", client=None, **headers):
    """What ``navigator.sendBeacon(url, JSON.stringify(payload))`` sends."""
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return (client or reader(**headers)).post(site.track_url, data=body, content_type=content_type)


def test_it_counts_an_impression_in_the_documents_counter_and_the_day(site, redis_db):
    response = beacon(site, {"event": "impression"})

    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert redis_db.get(f"widget:impressions:{site.widget.id}") == "1"
    assert redis_db.hgetall(keys.stat_widget_day(site.widget.id, today())) == {"impressions": "1"}
    assert redis_db.ttl(keys.stat_widget_day(site.widget.id, today())) > 90 * 24 * 3600


def test_it_counts_a_click_on_an_entry_sent_as_json(site, redis_db):
    entry = site.entries[0]

    response = beacon(site, {"event": "click", "entryId": entry.id}, content_type="application/json")

    assert response.status_code == 204
    assert redis_db.get(f"widget:clicks:{site.widget.id}") == "1"
    assert redis_db.get(f"widget:entry:{site.widget.id}:{entry.id}:clicks") == "1"
    assert redis_db.hgetall(keys.stat_widget_day(site.widget.id, today())) == {"clicks": "1", f"entry.{entry.id}": "1"}


def test_it_shows_the_live_counters_in_the_config(site):
    beacon(site, {"event": "impression"})
    beacon(site, {"event": "impression"})
    beacon(site, {"event": "click", "entryId": site.entries[1].id})

    widget = services.widget_get(user_id=site.user.id, repo_id=REPO)

    assert (widget.impressions, widget.clicks) == (2, 1)


def test_it_is_csrf_exempt_and_sets_no_cookie(site):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)

    response = beacon(site, {"event": "impression"}, client=client)

    assert response.status_code == 204 and not response.cookies
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize("headers", [{"HTTP_USER_AGENT": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
                                     {"HTTP_USER_AGENT": ""}, {"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
def test_it_ignores_bots_and_readers_who_opt_out(site, redis_db, headers):
    response = beacon(site, {"event": "impression"}, **headers)

    assert response.status_code == 204
    assert redis_db.get(f"widget:impressions:{site.widget.id}") is None


@pytest.mark.parametrize("payload, field", [
    ("not json", "body"), ("[1, 2]", "body"), ({"event": "view"}, "event"),
    ({"event": "click"}, "entryId"), ({"event": "click", "entryId": "ent:1"}, "entryId"),
    ({"event": "click", "entryId": "ent_missing"}, "entryId"),
])
def test_it_refuses_an_event_it_cannot_count(site, redis_db, payload, field):
    response = beacon(site, payload)

    assert response.status_code == 400 and field in response.json()["errors"]
    assert redis_db.get(f"widget:clicks:{site.widget.id}") is None


def test_it_refuses_a_click_on_another_repositorys_entry(site, redis_db):
    stranger = make_user()
    make_repo(stranger, name="someone/else")
    other = make_entry(stranger, repo_id="someone/else", pr_id=9, status="published")

    response = beacon(site, {"event": "click", "entryId": other.id})

    assert response.status_code == 400
    assert redis_db.get(f"widget:entry:{site.widget.id}:{other.id}:clicks") is None


def test_it_rate_limits_events_per_ip(site, redis_db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "widget-track": (3, 60)}

    statuses = [beacon(site, {"event": "impression"}, REMOTE_ADDR="203.0.113.9").status_code for _ in range(4)]
    other_ip = beacon(site, {"event": "impression"}, REMOTE_ADDR="203.0.113.10")

    assert statuses == [204, 204, 204, 429] and other_ip.status_code == 204
    assert redis_db.get(f"widget:impressions:{site.widget.id}") == "4"


def test_it_tells_the_reader_when_it_is_rate_limited(site, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "widget-track": (0, 60)}

    response = beacon(site, {"event": "impression"})

    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "rate_limited"


def test_it_answers_404_for_an_unknown_widget_and_410_for_a_disabled_one(site, redis_db):
    services.widget_set_enabled(user_id=site.user.id, repo_id=REPO, enabled=False)

    unknown = reader().post("/api/widget/wgt_nope/track", data='{"event":"impression"}', content_type="text/plain")
    disabled = beacon(site, {"event": "impression"})

    assert unknown.status_code == 404 and disabled.status_code == 410
    assert redis_db.get(f"widget:impressions:{site.widget.id}") is None


def test_it_refuses_a_body_larger_than_an_event(site):
    response = beacon(site, json.dumps({"event": "impression", "pad": "x" * 4000}))

    assert response.status_code == 413


def test_it_answers_the_cors_preflight_and_refuses_get(site):
    preflight = reader().options(site.track_url, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    get = reader().get(site.track_url)

    assert preflight.status_code == 204 and "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert get.status_code == 405 and get["Allow"] == "POST, OPTIONS"
