"""Paging a collection through its index keys, never SCAN.

A collection's members are the concatenation of ``Segment``s: index keys (a sorted set or a set
of one user's, one repository's, one entry's members), record keys that may or may not exist,
or an explicit list. ``Listing`` counts them with one pipelined round trip of ``ZCARD`` /
``SCARD`` / ``EXISTS`` and reads only the slice a page needs (``ZRANGE`` with offsets; a set is
read whole and sorted, being one parent's). With ``by_score`` (and only sorted sets) they are
merged by score instead (entries by merge date across users): page *k* then reads the top
``(k + 1) * page size`` members of each sorted set, so early pages stay cheap.
"""

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Callable

from changelog_site.kv import client as kv
from changelog_site.kv import keys

BATCH = 500  # commands per pipelined round trip


def _same(member):
    return member


@dataclass
class Segment:
    """``kind``: ``zset`` or ``set`` (an index key: its members), ``exists`` (one record key:
    itself when present), ``values`` (``members``, already known). ``to_pk`` turns a member
    into the row's primary key."""

    kind: str
    key: str = ""
    to_pk: Callable = _same
    members: list = field(default_factory=list)


def zset(key, to_pk=_same):
    return Segment("zset", key, to_pk)


def members_of(key, to_pk=_same):
    return Segment("set", key, to_pk)


def if_exists(key, pk):
    return Segment("exists", key, lambda _member: pk)


def values(pks):
    return Segment("values", members=list(pks))


def pipelined(commands, *, errors_as_values=False):
    """Run ``(method name, *args[, {keyword args}])`` commands in non-transactional pipelines of ``BATCH``; with
    ``errors_as_values`` a command's error (a legacy value of another type) is its reply."""
    client, replies = kv.get_client(), []
    for start in range(0, len(commands), BATCH):
        pipe = client.pipeline(transaction=False)
        for name, *args in commands[start:start + BATCH]:
            options = args.pop() if args and isinstance(args[-1], dict) else {}
            getattr(pipe, name)(*args, **options)
        replies.extend(pipe.execute(raise_on_error=not errors_as_values))
    return replies


class Listing:
    """The rows of a collection, in index order (``descending`` reverses each index)."""

    SIZE = {"zset": "zcard", "set": "scard", "exists": "exists"}

    def __init__(self, segments, *, descending=False, by_score=False):
        self.segments = list(segments)
        self.descending = descending
        self.by_score = by_score and all(segment.kind == "zset" for segment in self.segments)
        self._sizes = None

    def sizes(self):
        if self._sizes is None:
            asked = [segment for segment in self.segments if segment.kind != "values"]
            replies = iter(pipelined([(self.SIZE[segment.kind], segment.key) for segment in asked]))
            self._sizes = [len(segment.members) if segment.kind == "values" else int(next(replies))
                           for segment in self.segments]
        return self._sizes

    def count(self):
        return sum(self.sizes())

    def page(self, start, stop):
        """The primary keys of rows ``start`` to ``stop`` (exclusive)."""
        stop = min(stop, self.count())
        if start >= stop:
            return []
        if self.by_score:
            return self._merged(start, stop)
        wanted, offset = [], 0
        for segment, size in zip(self.segments, self.sizes()):
            low, high = max(start - offset, 0), min(stop - offset, size)
            if low < high:
                wanted.append((segment, low, high))
            offset += size
        return [pk for segment, members in zip((w[0] for w in wanted), self._read(wanted))
                for pk in map(segment.to_pk, members)]

    def _read(self, wanted):
        commands = []
        for segment, low, high in wanted:
            if segment.kind == "zset":
                commands.append(("zrevrange" if self.descending else "zrange", segment.key, low, high - 1))
            elif segment.kind == "set":
                commands.append(("smembers", segment.key))
        replies = iter(pipelined(commands))
        for segment, low, high in wanted:
            if segment.kind == "zset":
                yield next(replies)
            elif segment.kind == "set":
                yield sorted(next(replies), reverse=self.descending)[low:high]
            elif segment.kind == "exists":
                yield [segment.key]
            else:
                yield segment.members[low:high]

    def _merged(self, start, stop):
        """Rows ``start``..``stop`` of every sorted set merged by score (ties by member)."""
        reads = [segment for segment, size in zip(self.segments, self.sizes()) if size]
        command = "zrevrange" if self.descending else "zrange"
        replies = pipelined([(command, segment.key, 0, stop - 1, {"withscores": True}) for segment in reads])
        sign = -1 if self.descending else 1
        runs = [[(sign * score, sign_member(member, self.descending), segment.to_pk(member)) for member, score in reply]
                for segment, reply in zip(reads, replies)]
        return [pk for _, _, pk in itertools.islice(heapq.merge(*runs), start, stop)]


def sign_member(member, descending):
    """A sort key putting equal-score members in the order Redis gives them."""
    return tuple(-ord(char) for char in member) if descending else member


def pointed(index_key):
    """The placeholders of the key an ``idx:`` pointer names (``{"user_id": ..., ...}``), or {}."""
    target = kv.get_client().get(index_key)
    return keys.parse(target)[1] if target else {}
