"""Fixed-window rate limits kept in Redis under ``rl:`` keys.

``rate_limit_hit`` counts one hit for ``subject`` (a user id, an IP hash) in the current window
and raises ``RateLimited`` (saying when the window ends) once ``limit`` hits were counted in it. The
INCR and its EXPIRE go in one MULTI/EXEC, so no key is ever left without a TTL, and every web
process counts into the same key. The limits and where each applies: docs/deployment.md.
"""

import hashlib
import hmac
import logging
import time
from functools import lru_cache

import redis
from django.conf import settings

from changelog_site.domain import RateLimited
from changelog_site.kv import client as kv
from changelog_site.kv import keys


log = logging.getLogger(__name__)


def client_ip(request):
    """REMOTE_ADDR, or the client end of X-Forwarded-For when ``TRUSTED_PROXY_COUNT`` proxies front us."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def derived_key(label):
    """An HMAC key for one purpose (``label``), derived from ``SECRET_KEY``."""
    return _derived_key(settings.SECRET_KEY, label)


@lru_cache(maxsize=64)
def _derived_key(secret, label):
    return hmac.new(secret.encode(), label.encode(), hashlib.sha256).digest()


def ip_hash(request):
    """The subject of a per-IP window: an HMAC of the client IP, so no address is stored."""
    return hmac.new(derived_key("shiplog-rate-limit"), client_ip(request).encode(), hashlib.sha256).hexdigest()[:24]


def rate_limit_hit(*, name, subject, limit, window_seconds):
    now = int(time.time())
    window = now // window_seconds
    key = keys.rate_limit(name, subject, window)
    pipe = kv.get_client().pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, window_seconds + 1)
    count, _ = pipe.execute()
    if count > limit:
        raise RateLimited(retry_after=max(1, (window + 1) * window_seconds - now))
    return limit - count


class ScopedUserThrottle:
    """The API's default throttle (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``), on ``rl:`` keys per
    signed-in user: every write (POST, PUT, PATCH, DELETE) counts against the view's
    ``throttle_scope``, ``DEFAULT_SCOPE`` when it names none; limits come from
    ``settings.RATE_LIMITS[scope] = (hits, window_seconds)``. Safe methods and anonymous requests
    (webhooks, beacons: they limit per source themselves) are not counted."""

    DEFAULT_SCOPE = "api-write"

    def __init__(self):
        self.retry_after = None

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS") or not getattr(request.user, "is_authenticated", False):
            return True
        scope = getattr(view, "throttle_scope", None) or self.DEFAULT_SCOPE
        limit, window = settings.RATE_LIMITS[scope]
        try:
            rate_limit_hit(name=scope, subject=str(request.user.pk), limit=limit, window_seconds=window)
        except RateLimited as limited:
            self.retry_after = limited.retry_after
            return False
        return True

    def wait(self):
        return self.retry_after


class RefusalLimit:
    """Counts what a source got refused (a webhook with a bad signature) and shuts that source out
    once it has spent ``settings.RATE_LIMITS[name]`` in the window, before anything else is read.

    Accepted requests are never counted, so a busy legitimate sender (GitHub's few addresses) is
    never limited. With Redis down nothing is counted: the signature check still refuses forgeries.
    """

    def __init__(self, name):
        self.name = name

    def _window(self):
        limit, window_seconds = settings.RATE_LIMITS[self.name]
        now = int(time.time())
        return limit, window_seconds, now // window_seconds, now

    def check(self, request):
        """Raise ``RateLimited`` when the source already spent its refusals in this window."""
        limit, window_seconds, window, now = self._window()
        try:
            spent = int(kv.get_client().get(keys.rate_limit(self.name, ip_hash(request), window)) or 0)
        except (redis.ConnectionError, redis.TimeoutError):
            return
        if spent >= limit:
            raise RateLimited(retry_after=max(1, (window + 1) * window_seconds - now))

    def count(self, request):
        limit, window_seconds, _, _ = self._window()
        try:
            rate_limit_hit(name=self.name, subject=ip_hash(request), limit=limit, window_seconds=window_seconds)
        except RateLimited:
            pass
        except (redis.ConnectionError, redis.TimeoutError):
            log.info("Redis unreachable: refusal from a %s source not counted", self.name)
