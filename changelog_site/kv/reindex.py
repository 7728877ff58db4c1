"""Rebuild Shiplog's indexes from the data document's keys (``manage.py kv_reindex``).

This is the migration path for data written by another implementation of the document
(e.g. a Vercel KV export restored into Redis): it is the one place that scans the keyspace.
In one pass over every key it

* re-adds each record to the indexes that cover it (the same ``add_to_indexes`` the record
  classes use on save, so the two can never disagree);
* converts legacy value forms: usage and page-view/visitor JSON strings into hashes, voter
  lists stored as JSON into sets, a plaintext GitHub token (in its own key or inside the
  ``user:`` record) into a Fernet token;
* links or creates a Django account for every ``user:{userId}`` record.

A second pass removes index members whose record is gone. Running it twice changes nothing
the second time.
"""

import json
import logging
from collections import Counter
from datetime import date

from billing.models import Usage, User
from billing.services import account_link
from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from engagement.models import PageViews, Subscriber
from entries.models import Entry, SocialPost
from repos.models import GitHubToken, Repo
from roadmap.models import RoadmapItem
from widget.models import WidgetConfig

log = logging.getLogger(__name__)

RECORD_CLASSES = {
    "repo": Repo,
    "entry": Entry,
    "social": SocialPost,
    "widget": WidgetConfig,
    "subscriber": Subscriber,
    "roadmap": RoadmapItem,
}
BATCH = 500


class Reindexer:
    def __init__(self, progress=None):
        self.client = kv.get_client()
        self.stats = Counter()
        self.problems = []
        self.progress = progress or (lambda advance: None)

    def run(self, scan):
        """``scan(match)`` iterates the keyspace: the management command passes redis-py's
        ``scan_iter`` (the scan stays in offline code, never in a request path)."""
        pipe = self.client.pipeline(transaction=False)
        for key in scan("*"):
            collection, parts = keys.parse(key)
            if collection is not None:
                self.stats[f"keys:{collection}"] += 1
                self._reindex(collection, parts, key, pipe)
            if len(pipe) >= BATCH:
                pipe.execute()
            self.progress(1)
        pipe.execute()
        self._prune_stale_members(scan)
        return self.stats

    def total_keys(self):
        return self.client.dbsize()

    def _problem(self, key, message):
        self.problems.append((key, message))
        self.stats["problems"] += 1
        log.warning("kv_reindex: %s: %s", key, message)

    def _load(self, record_class, key):
        raw = self.client.get(key)
        try:
            return record_class.loads(raw)
        except (ValueError, TypeError, ValidationError) as error:
            self._problem(key, f"not a readable {record_class.__name__}: {error}")
            return None

    def _reindex(self, collection, parts, key, pipe):
        if collection in RECORD_CLASSES:
            if self.client.type(key) != "string":
                self._problem(key, f"expected a JSON string, found a {self.client.type(key)}")
                return
            record = self._load(RECORD_CLASSES[collection], key)
            if record is None:
                return
            if collection == "entry" and not self._has_merge_time(record, key):
                return
            if "id" in record.fields and "id" not in json.loads(self.client.get(key)):
                self.client.set(key, record.dumps())
                self.stats[f"converted:{collection}-id"] += 1
            record.add_to_indexes(pipe)
        elif collection == "user":
            self._user(parts["user_id"], key, pipe)
        elif collection == "repo_user":
            pipe.sadd(keys.idx_repo_users(parts["repo_name"]), parts["user_id"])
        elif collection == "github_token":
            self._github_token(parts["user_id"])
        elif collection == "dodo_customer_id":
            customer_id = self.client.get(key)
            if customer_id:
                pipe.set(keys.idx_dodo_customer(customer_id), parts["user_id"])
        elif collection == "usage":
            if Usage(parts["user_id"], parts["month"]).convert_legacy_json():
                self.stats["converted:usage"] += 1
        elif collection == "page_views":
            self._page_views(parts["entry_id"], parts["day"], key, pipe)
        elif collection == "visitor":
            self._json_to_hash(key, "visitor")
        elif collection in ("entry_upvoters", "roadmap_upvoters"):
            self._voters_to_set(key)

    def _has_merge_time(self, entry, key):
        try:
            entry.score()
        except (TypeError, ValueError, AttributeError):
            self._problem(key, "mergedAt is not an ISO timestamp; not indexed")
            return False
        return True

    def _user(self, user_id, key, pipe):
        user = self._load(User, key)
        if user is None:
            return
        pipe.sadd(keys.idx_users(), user_id)
        if user.legacy_github_token:
            token = GitHubToken(user_id)
            if not token.exists():
                token.set(user.legacy_github_token)
            self.client.set(key, user.dumps())
            self.stats["converted:user-github-token"] += 1
        _, action = account_link(user_id=user_id, email=user.email)
        self.stats[f"accounts:{action}"] += 1
        if action == "conflict":
            self._problem(key, f"email {user.email} already belongs to another account; not linked")

    def _github_token(self, user_id):
        stored = self.client.get(keys.github_token(user_id))
        if stored and not crypto.is_encrypted(stored):
            GitHubToken(user_id).reencrypt()
            self.stats["converted:github-token"] += 1

    def _json_to_hash(self, key, label):
        def convert(pipe):
            if pipe.type(key) != "string":
                return False
            data = json.loads(pipe.get(key))
            mapping = {name: json.dumps(value) if isinstance(value, list) else value
                       for name, value in data.items() if name != "visitorIds" and value is not None}
            mapping = {name: int(value) if isinstance(value, bool) else value for name, value in mapping.items()}
            ttl = pipe.ttl(key)
            pipe.multi()
            pipe.delete(key)
            pipe.hset(key, mapping=mapping)
            if ttl and ttl > 0:
                pipe.expire(key, ttl)
            return True

        try:
            if kv.transaction(convert, key):
                self.stats[f"converted:{label}"] += 1
        except (ValueError, TypeError, AttributeError) as error:
            self._problem(key, f"unreadable {label}: {error}")

    def _page_views(self, entry_id, day, key, pipe):
        try:
            date.fromisoformat(day)
        except ValueError:
            self._problem(key, "the day is not YYYY-MM-DD; not indexed")
            return
        self._json_to_hash(key, "page-views")
        PageViews(entry_id).add_existing_day(day, pipe)

    def _voters_to_set(self, key):
        def convert(pipe):
            if pipe.type(key) != "string":
                return False
            voters = json.loads(pipe.get(key))
            pipe.multi()
            pipe.delete(key)
            if voters:
                pipe.sadd(key, *voters)
            return True

        try:
            if kv.transaction(convert, key):
                self.stats["converted:voters"] += 1
        except (ValueError, TypeError) as error:
            self._problem(key, f"unreadable voters list: {error}")

    # --- pass two: index members whose record is gone -------------------------------------

    def _prune_stale_members(self, scan):
        for index_key in scan("idx:*"):
            stale = self._stale_members(index_key)
            if stale is True:
                self.client.delete(index_key)
                self.stats["pruned"] += 1
            elif stale:
                kind = self.client.type(index_key)
                (self.client.zrem if kind == "zset" else self.client.srem)(index_key, *stale)
                self.stats["pruned"] += len(stale)

    def _stale_members(self, index_key):
        """True when a pointer key is stale, or the list of stale members of a set/zset index."""
        parts = index_key.split(":")
        kind = parts[1]
        get, exists = self.client.get, self.client.exists
        if kind in ("entry", "widget", "roadmap"):
            target = get(index_key)
            return not target or not exists(target)
        if kind == "github-repo":
            return False
        if kind == "dodo-customer":
            user_id = get(index_key)
            return not user_id or get(keys.dodo_customer_id(user_id)) != parts[2]
        if kind == "users":
            return [u for u in self.client.smembers(index_key) if not exists(keys.user(u))]
        if kind == "user-repos":
            return [r for r in self.client.smembers(index_key) if not exists(keys.repo(parts[2], r))]
        if kind == "repo-users":
            return [u for u in self.client.smembers(index_key) if not exists(keys.repo_user(parts[2], u))]
        if kind == "subscribers":
            return [e for e in self.client.smembers(index_key) if not exists(keys.subscriber(parts[2], e))]
        if kind == "social":
            return [p for p in self.client.smembers(index_key) if not exists(keys.social(parts[2], parts[3], p))]
        if kind == "view-days":
            return [d for d in self.client.zrange(index_key, 0, -1) if not exists(keys.page_views(parts[2], d))]
        if kind == "roadmap-items":
            return [i for i in self.client.zrange(index_key, 0, -1) if not exists(keys.idx_roadmap(i))]
        if kind == "entries":
            status = parts[-1]
            stale = []
            for entry_id in self.client.zrange(index_key, 0, -1):
                entry = Entry.get_by_id(entry_id)
                if entry is None or entry.status != status:
                    stale.append(entry_id)
            return stale
        return []
