"""Rebuild Shiplog's indexes from the data document's keys (``manage.py kv_reindex``).

This is the migration path for data written by another implementation of the document
(e.g. a Vercel KV export restored into Redis), and the one place that scans the keyspace. It
knows no app: it walks the registry of record classes (``changelog_site.kv.registry``). In one
pass over every key it

* hands each key to the class registered for its ``keys.TABLE`` row (``reindex``), which re-adds
  the record to the indexes that cover it (the same ``add_to_indexes`` the record uses on save,
  so the two can never disagree) and converts legacy value forms (its own hooks: usage and
  page-view/visitor JSON into hashes, voter lists into sets, plaintext GitHub tokens into Fernet
  tokens, Django accounts linked or created for ``user:`` records, ...);
* carries the ``idx:`` keys of earlier versions whose data cannot be rebuilt over to ``meta:``
  (``keys.LEGACY``), merging with a ``meta:`` key written since, so an old deployment loses nothing.

A second pass asks each ``idx:`` key's class which members' records are gone and removes them.
Running it twice changes nothing the second time, and since every ``idx:`` key is rebuilt,
deleting every ``idx:`` key and running it is always safe.
"""

import logging
from collections import Counter

from django.dispatch import Signal

from . import client as kv
from . import keys
from .registry import registry

log = logging.getLogger(__name__)

BATCH = 500

# Sent once a run is over, with ``reindexer``: apps whose data outside the registry needs an upgrade
# step (e.g. repos' hook secrets, carried from Redis to SQL) connect to it in ``ready()``.
reindex_finished = Signal()

# Moves a legacy key to its meta: name; when both exist, merges the legacy one into it (the meta:
# copy wins on conflicts: it was written later) and deletes the legacy one. KEYS: legacy, meta.
CARRY_OVER = """
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then
    redis.call('RENAME', KEYS[1], KEYS[2])
    return 1
end
if kind == redis.call('TYPE', KEYS[2]).ok then
    if kind == 'hash' then
        local pairs = redis.call('HGETALL', KEYS[1])
        for i = 1, #pairs, 2 do redis.call('HSETNX', KEYS[2], pairs[i], pairs[i + 1]) end
    elseif kind == 'set' then
        for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('SADD', KEYS[2], member) end
    elseif kind == 'zset' then
        local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
        for i = 1, #members, 2 do redis.call('ZADD', KEYS[2], 'NX', members[i + 1], members[i]) end
    elseif kind == 'list' then
        for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do redis.call('RPUSH', KEYS[2], item) end
    end
end
redis.call('DEL', KEYS[1])
return 2
"""


class Reindexer:
    def __init__(self, progress=None):
        self.client = kv.get_client()
        self.stats = Counter()
        self.problems = []
        self.progress = progress or (lambda advance: None)

    def run(self, scan):
        """``scan(match)`` iterates the keyspace: the management command passes redis-py's
        ``scan_iter`` (the scan stays in offline code, never in a request path). It stays on
        ``self.scan`` for the ``reindex_finished`` receivers."""
        self.scan = scan
        pipe = self.client.pipeline(transaction=False)
        for key in scan("*"):
            self._visit(key, pipe)
            if len(pipe) >= BATCH:
                pipe.execute()
            self.progress(1)
        pipe.execute()
        self._prune_stale_members(scan)
        reindex_finished.send(sender=type(self), reindexer=self)
        return self.stats

    def total_keys(self):
        return self.client.dbsize()

    def problem(self, key, message):
        self.problems.append((key, message))
        self.stats["problems"] += 1
        log.warning("kv_reindex: %s: %s", key, message)

    def count(self, name, amount=1):
        self.stats[name] += amount

    def _visit(self, key, pipe):
        legacy, fields = keys.parse_legacy(key)
        if legacy is not None:
            target = keys.PATTERNS[legacy].format(fields)
            if kv.run_script(CARRY_OVER, keys=[key, target], args=[]):
                self.count(f"carried:{legacy}")
            return
        name, fields = keys.parse(key)
        owner = registry.owner(name) if name else None
        if owner is not None:
            self.count(f"keys:{name}")
            owner.reindex(name, key, fields, pipe, self)

    # --- pass two: index members whose record is gone -------------------------------------

    def _prune_stale_members(self, scan):
        for index_key in scan("idx:*"):
            name, fields = keys.parse(index_key)
            owner = registry.index_owner(name) if name else None
            if owner is None:
                continue
            stale = owner.stale_members(name, fields, index_key, self.client)
            if stale is True:
                self.client.delete(index_key)
                self.count("pruned")
            elif stale:
                kind = self.client.type(index_key)
                (self.client.zrem if kind == "zset" else self.client.srem)(index_key, *stale)
                self.count("pruned", len(stale))
