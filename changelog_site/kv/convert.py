"""Legacy value forms turned into ours, each in one WATCH/MULTI (``kv_reindex`` hooks use them).

Other implementations of the data document write plain JSON strings where Shiplog keeps hashes
(usage, page views, visitors) and JSON lists where it keeps sets (voters). Each conversion reads
the value, checks it is still in the legacy form and rewrites it atomically, so running it twice,
or beside a live writer, changes nothing the second time.
"""

import json

from . import client as kv


def json_to_hash(key, *, drop=(), fields=None):
    """A JSON object string at ``key`` becomes a hash (lists kept as JSON, booleans as 0/1, None
    and ``drop`` left out; with ``fields``, exactly those as integers). Keeps the TTL. True if
    converted; raises ``ValueError`` when the string is not a JSON object."""

    def convert(pipe):
        if pipe.type(key) != "string":
            return False
        data = json.loads(pipe.get(key) or "{}")
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if fields is not None:
            mapping = {name: int(data.get(name) or 0) for name in fields}
        else:
            mapping = {name: _hash_value(value) for name, value in data.items()
                       if name not in drop and value is not None}
        ttl = pipe.ttl(key)
        pipe.multi()
        pipe.delete(key)
        if mapping:
            pipe.hset(key, mapping=mapping)
        if ttl and ttl > 0:
            pipe.expire(key, ttl)
        return True

    return kv.transaction(convert, key)


def _hash_value(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def json_list_to_set(key):
    """A JSON list string at ``key`` becomes a set of its items. True if converted; raises
    ``ValueError`` when the string is not a JSON list."""

    def convert(pipe):
        if pipe.type(key) != "string":
            return False
        members = json.loads(pipe.get(key) or "[]")
        if not isinstance(members, list):
            raise ValueError("not a JSON list")
        pipe.multi()
        pipe.delete(key)
        if members:
            pipe.sadd(key, *[str(member) for member in members])
        return True

    return kv.transaction(convert, key)
