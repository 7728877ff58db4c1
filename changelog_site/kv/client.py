"""The one Redis connection pool the storage service uses, and the atomic-write helpers."""

import time
from contextlib import contextmanager

import redis
from django.conf import settings

_client = None
_scripts = {}


def get_client():
    """The shared redis-py client (str responses), created on first use from ``REDIS_URL``."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL,
            decode_responses=True,
            socket_timeout=settings.KV_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.KV_SOCKET_TIMEOUT,
            health_check_interval=30,
            protocol=2,  # RESP2: what every managed Redis (Upstash, ElastiCache, Vercel KV) speaks
        )
    return _client


@contextmanager
def use_client(client):
    """Run a block against another client (a fault-injecting fakeredis in tests)."""
    global _client
    previous, _client = _client, client
    try:
        yield client
    finally:
        _client = previous


def run_script(source, *, keys, args):
    """Run a Lua script by its SHA (loaded on first use) on the current client."""
    script = _scripts.get(source)
    if script is None:
        script = _scripts[source] = get_client().register_script(source)
    return script(keys=keys, args=args, client=get_client())


@contextmanager
def atomic(pipe=None):
    """Queue writes on ``pipe`` when the caller has one, else in a MULTI/EXEC of our own.

    This is what makes ``record.save(pipe=...)`` composable: several saves handed the same
    pipeline are sent to Redis as one transaction by whoever created it.
    """
    if pipe is not None:
        yield pipe
        return
    own = get_client().pipeline(transaction=True)
    yield own
    own.execute()


class ConflictRetriesExhausted(redis.WatchError):
    pass


def transaction(func, *watched_keys, retries=20):
    """Run ``func(pipe)`` under WATCH on ``watched_keys`` and retry on a concurrent change.

    ``func`` reads through ``pipe`` (immediate mode), then calls ``pipe.multi()`` and queues
    its writes. Returns what ``func`` returned. Gives up with ``ConflictRetriesExhausted``.
    """
    client = get_client()
    for attempt in range(retries):
        with client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(*watched_keys)
                result = func(pipe)
                if pipe.explicit_transaction:
                    pipe.execute()
                else:
                    pipe.unwatch()
                return result
            except redis.WatchError:
                time.sleep(min(0.002 * (attempt + 1), 0.05))
    raise ConflictRetriesExhausted(f"gave up after {retries} concurrent changes to {watched_keys}")
