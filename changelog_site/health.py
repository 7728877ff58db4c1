"""What /healthz reports: up or down, nothing more (it is public). The cause goes to the log."""

import logging

import redis

from changelog_site.kv.client import get_client

log = logging.getLogger(__name__)


def check():
    """``{"status": "ok"}`` when Redis answers, else ``{"status": "unavailable"}``."""
    try:
        get_client().ping()
    except (redis.ConnectionError, redis.TimeoutError) as error:
        log.warning("health check: Redis unreachable (%s)", type(error).__name__)
        return {"status": "unavailable"}
    return {"status": "ok"}
