"""Subscribers, page views, visitors and entry upvotes: the collections engagement owns.

Page views and visitors are the two collections whose document form (one JSON string
holding an ever-growing id list, rewritten on every view) can be neither atomic nor
bounded. We keep them as hashes updated by Lua scripts; see docs/storage.md. Readers
here also accept the document's plain-JSON form, which other implementations write.
"""

import json
from datetime import date

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Field, JsonRecord, VoteCounter, iso, utc_now

PREFERENCES = {
    "digest": Field(bool, default=True),
    "majorReleases": Field(bool, default=True),
    "allUpdates": Field(bool, default=False),
}
VISITOR_ENTRIES_KEPT = 50
VISITOR_TTL_SECONDS = 90 * 24 * 3600
DAY_VISITORS_TTL_SECONDS = 2 * 24 * 3600


class Subscriber(JsonRecord):
    """``subscriber:{repoId}:{email}``; ``idx:subscribers:{repoId}`` lists the emails."""

    email = Field(str, min_length=3, max_length=254)
    repoId = Field(str, min_length=1)
    subscribedAt = Field("datetime", default=lambda: iso(utc_now()))
    confirmed = Field(bool, default=False)
    confirmToken = Field(str)
    preferences = Field(PREFERENCES, default=lambda: {n: f.initial() for n, f in PREFERENCES.items()})

    def key(self):
        return keys.subscriber(self.repoId, self.email)

    def add_to_indexes(self, pipe):
        pipe.sadd(keys.idx_repo_subscribers(self.repoId), self.email)

    def remove_from_indexes(self, pipe):
        pipe.srem(keys.idx_repo_subscribers(self.repoId), self.email)

    @classmethod
    def get(cls, repo_id, email):
        return cls.get_by_key(keys.subscriber(repo_id, email))

    @classmethod
    def for_repo(cls, repo_id):
        emails = sorted(kv.get_client().smembers(keys.idx_repo_subscribers(repo_id)))
        return cls.get_many_by_keys([keys.subscriber(repo_id, email) for email in emails])


def _hash_or_json(client, key):
    """Read a record kept as a hash, or as the document's plain JSON string."""
    kind = client.type(key)
    if kind == "string":
        return json.loads(client.get(key))
    if kind == "hash":
        return client.hgetall(key)
    return None


class PageViews:
    """``analytics:views:{entryId}:{YYYY-MM-DD}``: a hash of entryId, date, views and
    uniqueVisitors. The day's visitor ids go to ``idx:view-visitors:{entryId}:{day}`` (a SET
    that expires after two days) instead of an unbounded list inside the record, and the days
    an entry has data for are listed in ``idx:view-days:{entryId}``."""

    RECORD = """
    local new_visitor = 0
    if ARGV[3] ~= '' then
        new_visitor = redis.call('SADD', KEYS[2], ARGV[3])
        redis.call('EXPIRE', KEYS[2], ARGV[5])
    end
    redis.call('HSETNX', KEYS[1], 'entryId', ARGV[1])
    redis.call('HSETNX', KEYS[1], 'date', ARGV[2])
    local views = redis.call('HINCRBY', KEYS[1], 'views', 1)
    local uniques = redis.call('HINCRBY', KEYS[1], 'uniqueVisitors', new_visitor)
    redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
    return {views, uniques}
    """

    def __init__(self, entry_id):
        self.entry_id = entry_id

    def record(self, day, visitor_id=None):
        """Count one view on ``day`` (a date); a visitor id counts once per day. Returns (views, uniques)."""
        day_text = day.isoformat()
        views, uniques = kv.run_script(
            self.RECORD,
            keys=[keys.page_views(self.entry_id, day_text),
                  keys.idx_page_view_visitors(self.entry_id, day_text),
                  keys.idx_entry_view_days(self.entry_id)],
            args=[self.entry_id, day_text, visitor_id or "", day.toordinal(), DAY_VISITORS_TTL_SECONDS])
        return int(views), int(uniques)

    def day(self, day):
        data = _hash_or_json(kv.get_client(), keys.page_views(self.entry_id, day.isoformat()))
        if data is None:
            return {"entryId": self.entry_id, "date": day.isoformat(), "views": 0, "uniqueVisitors": 0}
        return {"entryId": self.entry_id, "date": day.isoformat(),
                "views": int(data.get("views") or 0), "uniqueVisitors": int(data.get("uniqueVisitors") or 0)}

    def days(self, start=None, end=None):
        """The recorded days between ``start`` and ``end`` (dates, inclusive), oldest first."""
        low = start.toordinal() if start else "-inf"
        high = end.toordinal() if end else "+inf"
        texts = kv.get_client().zrangebyscore(keys.idx_entry_view_days(self.entry_id), low, high)
        return [self.day(date.fromisoformat(text)) for text in texts]

    def add_existing_day(self, day_text, pipe):
        """Index a day written by another implementation (kv_reindex)."""
        pipe.zadd(keys.idx_entry_view_days(self.entry_id), {day_text: date.fromisoformat(day_text).toordinal()})

    def delete(self, pipe=None):
        texts = kv.get_client().zrange(keys.idx_entry_view_days(self.entry_id), 0, -1)
        with kv.atomic(pipe) as p:
            for text in texts:
                p.delete(keys.page_views(self.entry_id, text), keys.idx_page_view_visitors(self.entry_id, text))
            p.delete(keys.idx_entry_view_days(self.entry_id))


class Visitor:
    """``analytics:visitor:{visitorId}``: a hash of id, fingerprint, firstVisit, lastVisit,
    pageViews and entries (a JSON list of the most recent distinct entry ids, capped), updated
    by one Lua script and expiring after 90 days without a visit."""

    TOUCH = """
    local now = ARGV[3]
    redis.call('HSETNX', KEYS[1], 'id', ARGV[1])
    redis.call('HSETNX', KEYS[1], 'fingerprint', ARGV[2])
    redis.call('HSETNX', KEYS[1], 'firstVisit', now)
    redis.call('HSET', KEYS[1], 'lastVisit', now)
    local views = redis.call('HINCRBY', KEYS[1], 'pageViews', 1)
    local entries = cjson.decode(redis.call('HGET', KEYS[1], 'entries') or '[]')
    local kept = {ARGV[4]}
    for _, seen in ipairs(entries) do
        if seen ~= ARGV[4] and #kept < tonumber(ARGV[5]) then table.insert(kept, seen) end
    end
    redis.call('HSET', KEYS[1], 'entries', cjson.encode(kept))
    redis.call('EXPIRE', KEYS[1], ARGV[6])
    return views
    """

    def __init__(self, visitor_id):
        self.visitor_id = visitor_id

    def touch(self, entry_id, fingerprint=""):
        return int(kv.run_script(
            self.TOUCH, keys=[keys.visitor(self.visitor_id)],
            args=[self.visitor_id, fingerprint, iso(utc_now()), entry_id, VISITOR_ENTRIES_KEPT, VISITOR_TTL_SECONDS]))

    def get(self):
        data = _hash_or_json(kv.get_client(), keys.visitor(self.visitor_id))
        if data is None:
            return None
        entries = data.get("entries") or []
        return {
            "id": data.get("id", self.visitor_id),
            "fingerprint": data.get("fingerprint", ""),
            "firstVisit": data.get("firstVisit"),
            "lastVisit": data.get("lastVisit"),
            "pageViews": int(data.get("pageViews") or 0),
            "entries": json.loads(entries) if isinstance(entries, str) else entries,
        }


class EntryUpvotes(VoteCounter):
    """``analytics:upvotes:{entryId}`` (integer) and ``analytics:upvotes:{entryId}:voters`` (set)."""

    def __init__(self, entry_id):
        super().__init__(keys.entry_upvotes(entry_id), keys.entry_upvoters(entry_id))
