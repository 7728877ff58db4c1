"""A redelivered webhook changes nothing: each delivery id is marked once it has been applied."""

import logging

import redis

from changelog_site.kv import client as kv
from changelog_site.kv import keys

log = logging.getLogger(__name__)

DELIVERY_MARKER_SECONDS = 7 * 24 * 3600
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


def once(delivery_id, func, *watched):
    """Run ``func(pipe)`` (reads, then ``pipe.multi()`` and the writes) under WATCH together with the
    delivery's marker: checked under the same WATCH and set in the same MULTI as the change, so of
    two concurrent deliveries of one id exactly one applies. The other gets None (a duplicate)."""
    marker = keys.github_delivery(delivery_id) if delivery_id else None
    return kv.transaction_once(marker, func, *watched, marker_seconds=DELIVERY_MARKER_SECONDS)


def delivery_claim(delivery_id):
    """Mark the delivery seen, atomically with the check (SET NX): True for the first of any
    concurrent deliveries of one id. For actions that are not one Redis transaction (a rename
    runs as a task); ``delivery_unclaim`` gives the id back when the action cannot start."""
    return bool(kv.get_client().set(keys.github_delivery(delivery_id), "1", nx=True, ex=DELIVERY_MARKER_SECONDS))


def delivery_unclaim(delivery_id):
    try:
        kv.get_client().delete(keys.github_delivery(delivery_id))
    except REDIS_DOWN:
        log.warning("delivery %s stays marked although its action did not start", delivery_id)
