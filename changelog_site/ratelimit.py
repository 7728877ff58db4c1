"""Fixed-window rate limits kept in Redis under ``rl:`` keys.

``rate_limit_hit`` counts one hit for ``subject`` (a user id, an IP hash) in the current window
and raises ``RateLimited`` (saying when the window ends) once ``limit`` hits were counted in it. The
INCR and its EXPIRE go in one MULTI/EXEC, so no key is ever left without a TTL, and every web
process counts into the same key. The limits and where each applies: docs/deployment.md.
"""

import time

from django.conf import settings

from changelog_site.domain import RateLimited
from changelog_site.kv import client as kv
from changelog_site.kv import keys


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
