"""The one Redis connection pool the storage service uses, and the atomic-write helpers.

Retry policy: a command is sent at most once; only opening a connection is retried.

* redis-py 8 retries every command up to 10 times by default (``ExponentialWithJitterBackoff``,
  10 ms doubling to a 1 s cap, on ``ConnectionError``/``TimeoutError``), reconnecting each time:
  with Redis down a request waited about 4.5 s before failing. Worse, a command whose reply was
  lost (the connection dropped after it was sent) may already have run, and resending an INCR,
  HINCRBY, Lua script or MULTI/EXEC would apply it twice. So the commands' ``Retry`` makes no
  retry (``Retry(NoBackoff(), 0)``, which pipelines and transactions use too): the error reaches
  the caller, who answers 503 + ``Retry-After`` (``changelog_site.errors``), keeps a webhook in
  the SQL inbox, or lets Celery retry the task. Reads are not retried either; the HTTP client
  retries the whole request.
* Opening a connection sends nothing that could run twice, so ``connect()`` is retried once after
  20-100 ms (``CONNECT_RETRY``), each attempt bounded by ``KV_CONNECT_TIMEOUT`` (0.3 s): with
  Redis refusing connections a request fails in well under 0.1 s, with a host that drops packets
  in under 0.8 s. ``KV_SOCKET_TIMEOUT`` (5 s) bounds waiting for a reply.
* A pooled connection the server closed (idle timeout, restart) is noticed when it is taken from
  the pool, where redis-py finds it readable and reconnects before sending anything; so there is
  no periodic PING health check (it would run under the no-retry policy).
* Only ``transaction()`` below retries, on ``WatchError``: Redis then applied nothing.

Django's cache uses the same connection classes and policy (``connection_options``).

Pool: a ``BlockingConnectionPool`` of at most ``KV_MAX_CONNECTIONS`` per process (by default twice
the web server's ``WEB_THREADS``: a transaction holds its WATCHed connection while its function
may read through the shared client). A thread finding every connection busy waits up to
``KV_POOL_TIMEOUT`` seconds, then gets ``ConnectionError`` (a 503 + ``Retry-After``), instead of
opening ever more connections until the server or a managed plan's limit refuses them.
"""

import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import redis
from django.conf import settings
from redis.backoff import ExponentialWithJitterBackoff, NoBackoff
from redis.retry import Retry

CONNECT_RETRY = Retry(ExponentialWithJitterBackoff(base=0.02, cap=0.1), retries=1)

_client = None
_scripts = {}


def never_resend():
    """The commands' retry policy: none (see the module docstring)."""
    return Retry(NoBackoff(), 0)


class _RetryConnectOnly:
    """Retries establishing the connection (socket, AUTH, SELECT) with ``CONNECT_RETRY`` while
    ``self.retry``, which redis-py also applies to sending commands, never retries."""

    def connect(self):
        CONNECT_RETRY.call_with_retry(
            lambda: self.connect_check_health(check_health=True, retry_socket_connect=False),
            lambda error: self.disconnect(error),
        )


class Connection(_RetryConnectOnly, redis.Connection):
    pass


class SSLConnection(_RetryConnectOnly, redis.SSLConnection):
    pass


class UnixDomainSocketConnection(_RetryConnectOnly, redis.UnixDomainSocketConnection):
    pass


CONNECTION_CLASSES = {"redis": Connection, "rediss": SSLConnection, "unix": UnixDomainSocketConnection}


def connection_options(url):
    """redis-py pool arguments carrying the retry policy, for ``url``'s scheme."""
    return {
        "connection_class": CONNECTION_CLASSES.get(urlsplit(url).scheme, Connection),
        "retry": never_resend(),
        "protocol": 2,  # RESP2: what every managed Redis (Upstash, ElastiCache, Vercel KV) speaks
    }


def make_client(url, *, connect_timeout=None, socket_timeout=None, max_connections=None):
    """A redis-py client (str responses) for ``url`` under the retry policy above, on a bounded
    pool (``max_connections``, default ``KV_MAX_CONNECTIONS``)."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        decode_responses=True,
        socket_timeout=socket_timeout if socket_timeout is not None else settings.KV_SOCKET_TIMEOUT,
        socket_connect_timeout=connect_timeout if connect_timeout is not None else settings.KV_CONNECT_TIMEOUT,
        max_connections=max_connections or settings.KV_MAX_CONNECTIONS,
        timeout=settings.KV_POOL_TIMEOUT,
        **connection_options(url),
    )
    client = redis.Redis(connection_pool=pool)
    client.auto_close_connection_pool = True
    return client


def get_client():
    """The shared client, created on first use from ``REDIS_URL``."""
    global _client
    if _client is None:
        _client = make_client(settings.REDIS_URL)
    return _client


@contextmanager
def use_client(client):
    """Run a block against another client (an unreachable one or a fault-injecting fakeredis in tests)."""
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


def transaction_once(marker, func, *watched_keys, marker_seconds):
    """``transaction`` that applies at most once per ``marker`` key (an idempotency marker under
    ``lock:``, e.g. a webhook delivery id): the marker is checked under the same WATCH and set in the
    same MULTI as the change, so of two concurrent calls with one marker exactly one applies; the
    other returns None. ``marker`` None: no idempotency, a plain ``transaction``."""

    def apply(pipe):
        if marker and pipe.exists(marker):
            return None
        result = func(pipe)
        if marker:
            pipe.set(marker, "1", ex=marker_seconds)
        return result

    return transaction(apply, *watched_keys, *([marker] if marker else []))
