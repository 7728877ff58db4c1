"""Subscribers, page views, visitors and entry upvotes: the collections engagement owns.

Page views and visitors are the two collections whose document form (one JSON string
holding an ever-growing id list, rewritten on every view) can be neither atomic nor
bounded. We keep them as hashes updated by Lua scripts; see docs/storage.md. Readers
here also accept the document's plain-JSON form, which other implementations write.
"""

import json
from datetime import date, datetime, timedelta, timezone

from pydantic import ConfigDict, Field, PrivateAttr, with_config
from typing_extensions import TypedDict

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.convert import json_to_hash
from changelog_site.kv.records import Flag, Id, JsonRecord, Timestamp, VoteCounter, iso, text, utc_now
from changelog_site.kv.registry import Family, RepoKeys, registry, watch_more

VISITOR_ENTRIES_KEPT = 50
VISITOR_TTL_SECONDS = 90 * 24 * 3600
DAY_VISITORS_TTL_SECONDS = 2 * 24 * 3600


@with_config(ConfigDict(extra="allow"))
class Preferences(TypedDict):
    digest: Flag
    majorReleases: Flag
    allUpdates: Flag


DEFAULT_PREFERENCES = {"digest": True, "majorReleases": True, "allUpdates": False}


def lex_member(email):
    """A subscriber's member in the lexical indexes (``idx:subscribers-confirmed:…`` and the like):
    the address lowercased, for case-insensitive order and prefix search, then the address itself
    (which, as part of a key, never holds the ``:`` between them)."""
    return f"{email.lower()}{keys.SEP}{email}"


def email_of(member):
    return member.partition(keys.SEP)[2]


@registry.register
class Subscriber(JsonRecord):
    """``subscriber:{repoId}:{email}``; ``idx:subscribers:{repoId}`` lists the emails (the mailing
    tasks read it), and ``idx:subscribers-confirmed:…``/``idx:subscribers-pending:…`` (sorted sets,
    every score 0, members ``lex_member``) page them by address for the owner's list; addresses a
    mail failed to are in ``meta:subscribers-failing:{repoId}`` (written by the delivery).

    A repository's subscribers are shared by every user who connected it: they move with a
    rename and go with the repository's last user."""

    repo_scope = "repo"
    key_names = ("subscriber",)
    index_names = ("idx_repo_subscribers", "idx_subscribers_confirmed", "idx_subscribers_pending")
    export_section = "subscribers"

    email: text(254, blank=False)
    repoId: Id
    subscribedAt: Timestamp = Field(default_factory=utc_now)
    confirmed: Flag = False
    confirmToken: text()
    preferences: Preferences = Field(default_factory=lambda: dict(DEFAULT_PREFERENCES))

    _state_present: bool = PrivateAttr(default=False)
    _failing: bool = PrivateAttr(default=False)

    def key(self):
        return keys.subscriber(self.repoId, self.email)

    def own_keys(self):
        return [self.key(), keys.meta_subscriber(self.repoId, self.email)]

    def add_to_indexes(self, pipe):
        confirmed = self.confirmed is True
        pipe.sadd(keys.idx_repo_subscribers(self.repoId), self.email)
        pipe.zadd((keys.idx_subscribers_confirmed if confirmed else keys.idx_subscribers_pending)(self.repoId),
                  {lex_member(self.email): 0})
        pipe.zrem((keys.idx_subscribers_pending if confirmed else keys.idx_subscribers_confirmed)(self.repoId),
                  lex_member(self.email))

    def remove_from_indexes(self, pipe):
        pipe.srem(keys.idx_repo_subscribers(self.repoId), self.email)
        for key in (keys.idx_subscribers_confirmed(self.repoId), keys.idx_subscribers_pending(self.repoId),
                    keys.meta_subscribers_failing(self.repoId)):
            pipe.zrem(key, lex_member(self.email))

    @classmethod
    def get(cls, repo_id, email):
        return cls.get_by_key(keys.subscriber(repo_id, email))

    @classmethod
    def for_repo(cls, repo_id):
        return cls.of_repo(kv.get_client(), repo_id)

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return [keys.idx_repo_subscribers(repo_id)]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        emails = sorted(reader.smembers(keys.idx_repo_subscribers(repo_id)))
        subscriber_keys = [keys.subscriber(repo_id, email) for email in emails]
        state_keys = [keys.meta_subscriber(repo_id, email) for email in emails]
        watch_more(reader, *subscriber_keys, *state_keys)
        subscribers = cls.parse_many(reader.mget(subscriber_keys) if subscriber_keys else [], subscriber_keys)
        for subscriber in subscribers:
            subscriber._state_present = bool(reader.exists(keys.meta_subscriber(repo_id, subscriber.email)))
            subscriber._failing = reader.zscore(keys.meta_subscribers_failing(repo_id),
                                                lex_member(subscriber.email)) is not None
        return subscribers

    def move(self, pipe, new_repo_id):
        old_state = keys.meta_subscriber(self.repoId, self.email)
        pipe.delete(self.key())
        self.remove_from_indexes(pipe)
        self.repoId = new_repo_id
        pipe.set(self.key(), self.dumps())
        self.add_to_indexes(pipe)
        if self._state_present:
            pipe.rename(old_state, keys.meta_subscriber(new_repo_id, self.email))
        if self._failing:
            pipe.zadd(keys.meta_subscribers_failing(new_repo_id), {lex_member(self.email): 0})

    def export(self):
        data = self.to_dict()
        data.pop("confirmToken", None)
        return data

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        if key_name == "idx_repo_subscribers":
            return [email for email in client.smembers(key)
                    if not client.exists(keys.subscriber(fields["repo_id"], email))]
        confirmed = key_name == "idx_subscribers_confirmed"
        stale = []
        for member in client.zrange(key, 0, -1):
            subscriber = cls.get(fields["repo_id"], email_of(member))
            if subscriber is None or (subscriber.confirmed is True) != confirmed \
                    or lex_member(subscriber.email) != member:
                stale.append(member)
        return stale


@registry.register
class RepoSubscriptions(RepoKeys):
    """A repository's subscriber settings (``meta:repo-subscriptions:{repoId}``) and mail counters
    (``stat:subscriber-mail:{repoId}``), docs/subscribers.md."""

    @staticmethod
    def keys_for(repo_id):
        return [keys.meta_repo_subscriptions(repo_id), keys.stat_subscriber_mail(repo_id)]


@registry.register
class RepoPublicPage(RepoKeys):
    """A repository's public changelog keys: its branding (``meta:repo-branding:{repoId}``, ours and
    not rebuildable) and its cache version (``cache:changelog-version:{repoId}``)."""

    @staticmethod
    def keys_for(repo_id):
        return [keys.meta_repo_branding(repo_id), keys.cache_changelog_version(repo_id)]


@registry.register
class RepoViewStats(RepoKeys):
    """A repository's entry-page figures per UTC day (``stat:repo-views-day:{repoId}:{day}`` and
    ``stat:repo-top-day:{repoId}:{day}``, counted with each view: engagement/view_counts.py), over
    the ``keys.REPO_STAT_DAYS`` they are kept."""

    @staticmethod
    def keys_for(repo_id):
        today = datetime.now(timezone.utc).date()
        days = [(today - timedelta(days=back)).isoformat() for back in range(keys.REPO_STAT_DAYS + 1)]
        return [key for day in days
                for key in (keys.stat_repo_views_day(repo_id, day), keys.stat_repo_top_day(repo_id, day))]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        """The days' keys that exist, asked in one round trip beside ``reader`` (a rename has
        WATCHed them all already: ``repo_watch_keys``)."""
        candidates = cls.keys_for(repo_id)
        pipe = kv.get_client().pipeline(transaction=False)
        for key in candidates:
            pipe.exists(key)
        present = [key for key, exists in zip(candidates, pipe.execute()) if exists]
        return [cls(repo_id, present)] if present else []


def _hash_or_json(client, key):
    """Read a record kept as a hash, or as the document's plain JSON string."""
    kind = client.type(key)
    if kind == "string":
        return json.loads(client.get(key))
    if kind == "hash":
        return client.hgetall(key)
    return None


@registry.register
class PageViews(Family):
    """``analytics:views:{entryId}:{YYYY-MM-DD}``: a hash of entryId, date, views and
    uniqueVisitors. The day's visitor ids go to ``meta:view-visitors:{entryId}:{day}`` (a SET
    that expires after two days) instead of an unbounded list inside the record, and the days
    an entry has data for are listed in ``idx:view-days:{entryId}``."""

    parent = "entry"
    key_names = ("page_views",)
    index_names = ("idx_entry_view_days",)
    export_section = "^"

    RECORD = """
    local new_visitor = 0
    if ARGV[3] ~= '' then
        new_visitor = redis.call('SADD', KEYS[2], ARGV[3])
        if new_visitor == 1 then redis.call('EXPIRE', KEYS[2], ARGV[5]) end
    end
    local views = redis.call('HINCRBY', KEYS[1], 'views', 1)
    local uniques = redis.call('HINCRBY', KEYS[1], 'uniqueVisitors', new_visitor)
    if views == 1 then  -- the day's first view: what identifies the record, and its day in the index
        redis.call('HSETNX', KEYS[1], 'entryId', ARGV[1])
        redis.call('HSETNX', KEYS[1], 'date', ARGV[2])
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[2])
    end
    return {views, uniques, new_visitor}
    """

    def __init__(self, entry_id):
        self.entry_id = entry_id

    def record(self, day, visitor_id=None):
        """Count one view on ``day`` (a date); a visitor id counts once per day. Returns (views, uniques)."""
        day_text = day.isoformat()
        views, uniques, _ = kv.run_script(
            self.RECORD,
            keys=[keys.page_views(self.entry_id, day_text),
                  keys.meta_view_visitors(self.entry_id, day_text),
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

    @classmethod
    def children_of(cls, entry):
        return [cls(entry.id)]

    def own_keys(self):
        days = kv.get_client().zrange(keys.idx_entry_view_days(self.entry_id), 0, -1)
        return [key for day in days for key in (keys.page_views(self.entry_id, day),
                                                 keys.meta_view_visitors(self.entry_id, day))] + [
            keys.idx_entry_view_days(self.entry_id)]

    def export(self):
        return {"pageViews": self.days()}

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        """Index a day written by another implementation, converting the document's JSON form
        (whose ``visitorIds`` list is dropped: its count survives as ``uniqueVisitors``)."""
        try:
            date.fromisoformat(fields["day"])
        except ValueError:
            run.problem(key, "the day is not YYYY-MM-DD; not indexed")
            return
        try:
            if json_to_hash(key, drop=("visitorIds",)):
                run.count("converted:page-views")
        except ValueError as error:
            run.problem(key, f"unreadable page-views: {error}")
        cls(fields["entry_id"]).add_existing_day(fields["day"], pipe)

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        return [day for day in client.zrange(key, 0, -1) if not client.exists(keys.page_views(fields["entry_id"], day))]


@registry.register
class Visitor(Family):
    """``analytics:visitor:{visitorId}``: a hash of id, fingerprint, firstVisit, lastVisit,
    pageViews and entries (a JSON list of the most recent distinct entry ids, capped), updated
    by one Lua script and expiring 90 days after the first visit of the last day with one (the
    TTL is renewed once a day, not on every view). Anonymous: no user's family."""

    key_names = ("visitor",)

    TOUCH = """
    local now = ARGV[3]
    local views = redis.call('HINCRBY', KEYS[1], 'pageViews', 1)
    if views == 1 then  -- a new visitor: what identifies the record
        redis.call('HSETNX', KEYS[1], 'id', ARGV[1])
        redis.call('HSETNX', KEYS[1], 'fingerprint', ARGV[2])
        redis.call('HSETNX', KEYS[1], 'firstVisit', now)
    end
    local previous = redis.call('HMGET', KEYS[1], 'entries', 'lastVisit')
    local entries = cjson.decode(previous[1] or '[]')
    if entries[1] == ARGV[4] and #entries <= tonumber(ARGV[5]) then  -- seen last already: the list stands
        redis.call('HSET', KEYS[1], 'lastVisit', now)
    else
        local kept = {ARGV[4]}
        for _, seen in ipairs(entries) do
            if seen ~= ARGV[4] and #kept < tonumber(ARGV[5]) then table.insert(kept, seen) end
        end
        redis.call('HSET', KEYS[1], 'entries', cjson.encode(kept), 'lastVisit', now)
    end
    if string.sub(previous[2] or '', 1, 10) ~= string.sub(now, 1, 10) then  -- the day's first visit
        redis.call('EXPIRE', KEYS[1], ARGV[6])
    end
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

    def own_keys(self):
        return [keys.visitor(self.visitor_id)]

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        try:
            if json_to_hash(key):
                run.count("converted:visitor")
        except ValueError as error:
            run.problem(key, f"unreadable visitor: {error}")


@registry.register
class EntryUpvotes(VoteCounter):
    """``analytics:upvotes:{entryId}`` (integer) and ``analytics:upvotes:{entryId}:voters`` (set)."""

    parent = "entry"
    key_names = ("entry_upvotes", "entry_upvoters")

    def __init__(self, entry_id):
        super().__init__(keys.entry_upvotes(entry_id), keys.entry_upvoters(entry_id))

    @classmethod
    def children_of(cls, entry):
        return [cls(entry.id)]
