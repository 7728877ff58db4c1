"""Locks: redis-py's ``Lock``, which only its owner can release or extend.

``Lock`` stores a random token under the key (``SET NX PX``) and releases or extends it with a Lua
script that first checks the token, so a holder whose lock expired and was taken by someone else
never deletes or prolongs the new holder's lock. Every lock's key comes from ``keys.lock(...)``.

A lock's timeout must outlast the work it guards: hold one for a bounded step, ``renew`` it
between steps, and sleep with ``sleep_renewing`` rather than past the timeout. A holder that
finds its lock gone gets ``LockNotOwnedError`` from ``renew`` and must stop.
"""

import logging
import time

import redis
from redis.exceptions import LockError, LockNotOwnedError

from . import client as kv

log = logging.getLogger(__name__)

__all__ = ["LockNotOwnedError", "acquire", "keep", "release", "renew", "sleep_renewing"]
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


def acquire(key, *, timeout):
    """Take ``key`` for ``timeout`` seconds without waiting: the ``Lock``, or None when someone
    else holds it. Pair with ``release`` in a ``finally``."""
    lock = kv.get_client().lock(key, timeout=timeout, blocking=False, thread_local=False)
    return lock if lock.acquire() else None


def release(lock):
    """Release ``lock`` if it is still ours; never raises (an unreleased lock expires by itself)."""
    try:
        lock.release()
    except LockNotOwnedError:
        log.warning("lock %s expired before its holder released it", lock.name)
    except (LockError, *REDIS_DOWN) as error:
        log.warning("could not release lock %s (%s); it expires by itself", lock.name, error)


def renew(lock):
    """Restart ``lock``'s full timeout; raises ``LockNotOwnedError`` if it is no longer ours."""
    lock.reacquire()


def keep(lock):
    """Renew ``lock`` between steps of a loop: False when it is no longer ours or Redis does not
    answer, and the holder must stop."""
    try:
        renew(lock)
    except LockNotOwnedError:
        log.warning("lock %s was lost (expired and taken); its former holder stops", lock.name)
        return False
    except REDIS_DOWN:
        return False
    return True


def sleep_renewing(lock, seconds, *, sleep=time.sleep):
    """Sleep ``seconds`` in slices of at most a third of the lock's timeout, renewing it after each."""
    slice_seconds = lock.timeout / 3
    while seconds > 0:
        step = min(seconds, slice_seconds)
        sleep(step)
        seconds -= step
        renew(lock)
