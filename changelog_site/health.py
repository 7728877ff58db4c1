"""What /healthz reports."""

import redis

from changelog_site.kv.client import get_client


def check():
    """``{"status": "ok"}`` when Redis answers, else ``{"status": "unavailable", ...}``."""
    try:
        get_client().ping()
    except (redis.ConnectionError, redis.TimeoutError) as error:
        return {"status": "unavailable", "redis": type(error).__name__}
    return {"status": "ok"}
