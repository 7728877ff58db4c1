"""One command on a connection this thread keeps: the public read path's single round trip.

A reader's request served by the front door (``changelog_site.front``) is one Redis command. Sent
through the shared client, that command cost about 64 µs of CPU on the development VM, of which
about 25 µs were the bounded pool's queue, the retry wrapper and redis-py's observability hooks;
sent on a connection the thread keeps and uses directly, about 39 µs (docs/performance.md).

The connection is made from the shared client's own pool settings (server, database, timeouts,
connection class, RESP version), so it follows ``REDIS_URL`` and a client swapped in by
``client.use_client``. The policy is the client's: a command is sent once and never resent; any
error but a Redis error reply drops the connection (the next command opens a new one) and
reaches the caller, which lets Django answer the request. There is one such connection per web
server thread (``WEB_THREADS``), besides the shared pool.
"""

import threading

import redis

try:
    import hiredis
except ImportError:  # redis-py packs without it
    hiredis = None

from . import client as kv

_local = threading.local()


def _connection():
    shared = kv.get_client()
    if getattr(_local, "client", None) is not shared:
        previous = getattr(_local, "connection", None)
        if previous is not None:
            previous.disconnect()
        pool = shared.connection_pool
        _local.connection, _local.client = pool.connection_class(**pool.connection_kwargs), shared
    return _local.connection


def pipeline(*commands, scripts=None):
    """Send ``commands`` (argument tuples) in one write and read their replies: one round trip. An
    error reply takes its command's place as a ``redis.ResponseError``, as in redis-py's pipelines.

    ``scripts`` maps the SHA1 of each script an ``EVALSHA`` among them runs to its source: when
    the server lacks one it says so before running it, and the script is loaded and the whole
    batch sent once more; the commands besides the scripts must be reads, which may run twice."""
    replies = _send(commands)
    missing = {command[1] for command, reply in zip(commands, replies)
               if isinstance(reply, redis.exceptions.NoScriptError)}
    if missing and scripts and missing <= set(scripts):
        _send([("SCRIPT", "LOAD", scripts[sha]) for sha in missing])
        replies = _send(commands)
    return replies


def _pack(connection, commands):
    """The commands in RESP, as chunks to send: hiredis's packer directly (redis-py's wrapper
    around it inspects every argument again), else redis-py's."""
    if hiredis is None:
        return connection.pack_commands(commands)
    return [b"".join(hiredis.pack_command(command) for command in commands)]


def _fresh(connection):
    """``connection``, reconnected first when the server closed it while idle (its idle timeout, a
    restart: the socket reads as closed), as the shared pool does before lending one; nothing has
    been sent yet, so nothing can run twice."""
    if getattr(connection, "_sock", None) is None:  # not connected yet: sending connects it, once
        return connection
    try:
        if connection.can_read():
            raise redis.ConnectionError("connection closed or dirty")
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        connection.disconnect()
    return connection


def _send(commands):
    connection = _fresh(_connection())
    try:
        connection.send_packed_command(_pack(connection, commands), check_health=False)
        replies = []
        for _ in commands:
            try:
                replies.append(connection.read_response())
            except redis.ResponseError as error:
                replies.append(error)
        return replies
    except BaseException:
        connection.disconnect()
        raise


def command(*args):
    """Send one command and return its reply (raises ``redis.ResponseError`` for an error reply)."""
    reply = _send([args])[0]
    if isinstance(reply, redis.ResponseError):
        raise reply
    return reply
