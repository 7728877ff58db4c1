"""The ``rl:`` rate limits (changelog_site/ratelimit.py): every API write per user, the public
counters per IP, 429 + Retry-After, atomic windows, limits read from the environment."""

import threading

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from changelog_site.ratelimit import RateLimited, ScopedUserThrottle, rate_limit_hit
from engagement import services as engagement
from tests.site.test_settings_env import settings_with

WRITE_METHODS = ("post", "put", "patch", "delete")


def api_views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if isinstance(view_class, type) and issubclass(view_class, APIView):
                yield pattern, view_class


def test_it_limits_every_api_write_view_per_user(settings):
    writes = [(pattern, view) for pattern, view in api_views() if any(hasattr(view, m) for m in WRITE_METHODS)]

    assert writes, "the URLconf has no API write views"
    for pattern, view in writes:
        assert ScopedUserThrottle in view.throttle_classes, pattern
        scope = getattr(view, "throttle_scope", None) or ScopedUserThrottle.DEFAULT_SCOPE
        assert scope in settings.RATE_LIMITS, (pattern, scope)


@pytest.mark.django_db
def test_it_answers_an_api_write_over_the_limit_with_429_and_retry_after(client, account, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-write": (2, 60)}
    _, _, alice = account()
    _, _, bob = account()
    for _ in range(2):
        assert client.post("/api/repos/", {}, content_type="application/json", **alice).status_code == 400

    limited = client.post("/api/repos/", {}, content_type="application/json", **alice)
    read = client.get("/api/repos/", **alice)
    other_user = client.post("/api/repos/", {}, content_type="application/json", **bob)

    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert read.status_code == 200 and other_user.status_code == 400


@pytest.mark.django_db
def test_it_limits_account_deletion_through_the_api_like_any_write(client, account, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-write": (0, 60)}
    _, _, headers = account()

    assert client.delete("/api/me/", **headers).status_code == 429


def test_it_gives_every_window_key_a_ttl(redis_db):
    for _ in range(3):
        rate_limit_hit(name="probe", subject="203.0.113.7", limit=10, window_seconds=60)

    keys = redis_db.keys("rl:probe:*")
    assert len(keys) == 1 and 0 < redis_db.ttl(keys[0]) <= 61
    assert redis_db.get(keys[0]) == "3"


def test_it_lets_exactly_the_limit_through_under_concurrent_hits(redis_db):
    allowed, barrier = [], threading.Barrier(40)

    def hit():
        barrier.wait()
        try:
            rate_limit_hit(name="probe", subject="shared", limit=10, window_seconds=60)
            allowed.append(True)
        except RateLimited:
            pass

    threads = [threading.Thread(target=hit) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 10


def test_it_stops_counting_page_views_from_one_ip_past_the_limit(redis_db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "page-view": (3, 60)}

    counted = [engagement.page_view_record(entry_id="e1", ip_hash="abc") for _ in range(5)]
    other_ip = engagement.page_view_record(entry_id="e1", ip_hash="def")

    assert [result is not None for result in counted] == [True, True, True, False, False]
    assert other_ip[0] == 4


def test_it_reads_the_limits_from_the_environment(tmp_path):
    values = settings_with(tmp_path, ["RATE_LIMITS", "ACCOUNT_RATE_LIMITS", "UPVOTE_RATE_LIMIT"],
                           RATE_LIMIT_API_WRITES_PER_MINUTE="7", RATE_LIMIT_PAGE_VIEWS_PER_IP_PER_MINUTE="9",
                           RATE_LIMIT_LOGIN_FAILED="3/m/ip,2/10m/key", UPVOTE_RATE_LIMIT="4")

    assert values["RATE_LIMITS"]["api-write"] == [7, 60]
    assert values["RATE_LIMITS"]["page-view"] == [9, 60]
    assert values["ACCOUNT_RATE_LIMITS"]["login_failed"] == "3/m/ip,2/10m/key"
    assert values["UPVOTE_RATE_LIMIT"] == 4
