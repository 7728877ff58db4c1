"""Changelog entries, their social posts and what GitHub told us about them: what entries owns."""

import base64
import hashlib
import json
import math
import time
from typing import Literal

from pydantic import Field, PrivateAttr

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import (Id, Integer, JsonRecord, Strings, Timestamp, ValidationError, pointer_is_stale,
                                      text)
from changelog_site.kv.registry import OnePerParent, registry, watch_more
from repos.models import moved_github_url

CATEGORIES = ("New", "Fixed", "Improved", "Other")
STATUSES = ("draft", "published")
PLATFORMS = ("twitter", "linkedin")
TEXT_SOURCES = ("original", "aiRewrite")
TITLE_MAX = 300
BODY_MAX = 65536
CHANGELOG_INDEXES = ("idx_changelog", "idx_changelog_category")


def changelog_member(pr_id, user_id):
    """A published copy's member in the public changelog's read model (``idx:changelog:…``): the PR
    number zero-padded, so that of entries merged in the same second the higher PR number comes
    first (``ZREVRANGEBYSCORE`` orders equal scores by member, descending), then its user."""
    return f"{pr_id:010d}:{user_id}"


def parse_changelog_member(member):
    """``(pr_id, user_id)`` of a read-model member."""
    pr_text, _, user_id = member.partition(":")
    return int(pr_text), user_id


def encode_cursor(score, member):
    return base64.urlsafe_b64encode(f"{score!r}|{member}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, member = text.split("|", 1)
        if not math.isfinite(float(score)):  # nan or inf: no entry has such a score
            raise ValueError(score)
        return float(score), member
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": "is not a cursor this API gave out"}) from error


def page_of_zset(index_key, cursor=None, limit=20):
    """Members of a ZSET from the highest score down, ``limit`` at a time.

    The cursor is the last (score, member) seen. Members with equal scores come back in
    reverse lexical order, so on a tie we skip the ones at or above the cursor's member.
    Returns ``(members, next_cursor)``.
    """
    client = kv.get_client()
    top, after = "+inf", None
    if cursor:
        top, after = decode_cursor(cursor)
    found = []
    offset = 0
    while len(found) < limit + 1:
        batch = client.zrevrangebyscore(index_key, top, "-inf", start=offset, num=limit + 1, withscores=True)
        if not batch:
            break
        offset += len(batch)
        for member, score in batch:
            if after is not None and score == top and member >= after:
                continue
            found.append((member, score))
    page, more = found[:limit], len(found) > limit
    next_cursor = encode_cursor(page[-1][1], page[-1][0]) if more and page else None
    return [member for member, _ in page], next_cursor


@registry.register
class Entry(JsonRecord):
    """``entry:{userId}:{repoId}:{prId}``.

    Indexes: ``idx:entry:{id}`` -> key, and the user's ZSETs of entry ids per status, all
    repositories together and per repository, scored by ``mergedAt``. A save adds the entry
    to its status's ZSETs and removes it from the other status's, in the same transaction.
    Its family (social drafts, upvotes, page views, widget clicks, GitHub state) is whatever the
    registry hangs off ``"entry"``: ``delete`` removes it all.
    """

    kind = "entry"
    parent = "user"
    repo_scope = "user"
    key_names = ("entry",)
    index_names = ("idx_user_entries", "idx_repo_entries", "idx_entry", *CHANGELOG_INDEXES)
    export_section = "entries"
    ID_PREFIX = "ent"
    NULLABLE = frozenset({"aiRewrite"})

    id: Id
    userId: Id
    repoId: Id
    prId: Integer
    title: text(TITLE_MAX, blank=False)
    body: text(BODY_MAX) = ""
    category: Literal[CATEGORIES] = "Other"
    status: Literal[STATUSES] = "draft"
    mergedAt: Timestamp
    publishedAt: Timestamp | None = None
    prUrl: text()
    author: text()
    aiRewrite: text(BODY_MAX) | None = None
    labels: Strings = Field(default_factory=list)
    textSource: Literal[TEXT_SOURCES] | None = None

    # ``published_digest()`` as stored: as loaded, or as last saved by this object (None: a draft,
    # or a record never stored). ``save`` compares against it to retire public pages only when
    # what readers see changed.
    _published_before: str | None = PrivateAttr(default=None)

    @classmethod
    def from_dict(cls, data):
        entry = super().from_dict(data)
        entry._published_before = entry.published_digest()
        return entry

    def published_digest(self):
        """A digest of everything readers see of this entry, or None while it is a draft."""
        if self.status != "published":
            return None
        seen = [self.id, self.userId, self.repoId, self.prId, self.title, self.public_text(), self.category,
                self.mergedAt.isoformat(), (self.publishedAt or self.mergedAt).isoformat(), self.prUrl,
                self.author, self.labels]
        return hashlib.sha256(json.dumps(seen).encode()).hexdigest()[:24]

    def public_text(self):
        """The markdown readers see: the AI rewrite unless the owner chose the original text
        (``textSource``, a Shiplog extension field other implementations ignore)."""
        if (self.aiRewrite or "").strip() and self.textSource != "original":
            return self.aiRewrite
        return self.body

    def key(self):
        return keys.entry(self.userId, self.repoId, self.prId)

    def own_keys(self):
        return [self.key(), keys.idx_entry(self.id)]

    def score(self):
        return self.mergedAt.timestamp()

    def add_to_indexes(self, pipe):
        pipe.set(keys.idx_entry(self.id), self.key())
        pipe.sadd(keys.idx_user_related_repos(self.userId), self.repoId)
        for status in STATUSES:
            everywhere = keys.idx_user_entries(self.userId, status)
            in_repo = keys.idx_repo_entries(self.userId, self.repoId, status)
            if status == self.status:
                pipe.zadd(everywhere, {self.id: self.score()})
                pipe.zadd(in_repo, {self.id: self.score()})
            else:
                pipe.zrem(everywhere, self.id)
                pipe.zrem(in_repo, self.id)
        if self.status == "published":
            self._add_to_changelog(pipe)
        elif self._published_before is not None:
            self._remove_from_changelog(pipe)

    def _add_to_changelog(self, pipe):
        """The public changelog's read model: this copy in the repository's sorted set and in its
        category's (out of the other categories'), in the caller's transaction."""
        member, score = changelog_member(self.prId, self.userId), self.score()
        pipe.zadd(keys.idx_changelog(self.repoId), {member: score})
        for category in CATEGORIES:
            index = keys.idx_changelog_category(self.repoId, category)
            if category == self.category:
                pipe.zadd(index, {member: score})
            else:
                pipe.zrem(index, member)

    def _remove_from_changelog(self, pipe):
        member = changelog_member(self.prId, self.userId)
        pipe.zrem(keys.idx_changelog(self.repoId), member)
        for category in CATEGORIES:
            pipe.zrem(keys.idx_changelog_category(self.repoId, category), member)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_entry(self.id))
        for status in STATUSES:
            pipe.zrem(keys.idx_user_entries(self.userId, status), self.id)
            pipe.zrem(keys.idx_repo_entries(self.userId, self.repoId, status), self.id)
        self._remove_from_changelog(pipe)

    def _bump_changelog(self, pipe, repo_id=None):
        """A new public changelog version, in the same transaction as the entry write, so no cached
        page outlives a publish, unpublish, edit, delete or move (docs/public-changelog.md)."""
        pipe.set(keys.cache_changelog_version(repo_id or self.repoId), str(time.time_ns()),
                 ex=keys.CHANGELOG_VERSION_SECONDS)

    def save(self, pipe=None):
        """Write the entry and its indexes; when what readers see of it changed (a publish, an
        unpublish, an edit of a published entry), bump the repository's changelog version in the
        same transaction. Saving a draft leaves the public pages cached. kv_reindex, which only
        re-adds indexes, leaves the version alone."""
        with kv.atomic(pipe) as p:
            super().save(pipe=p)
            published = self.published_digest()
            if published != self._published_before:
                self._bump_changelog(p)
        self._published_before = published
        return self

    def delete_own(self, pipe):
        super().delete_own(pipe)
        self._bump_changelog(pipe)

    @classmethod
    def children_of(cls, user):
        ids = []
        client = kv.get_client()
        for status in STATUSES:
            ids.extend(client.zrange(keys.idx_user_entries(user.id, status), 0, -1))
        return cls.get_many_by_ids(ids)

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return [keys.idx_repo_entries(user_id, repo_id, status) for status in STATUSES]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        """The user's entries of a repository. Through a transaction's pipeline the entry keys are
        WATCHed before they are read, so an edit landing before the move commits retries the move."""
        ids = [member for index in cls.repo_watch_keys(repo_id, user_id) for member in reader.zrange(index, 0, -1)]
        entry_keys = [key for key in (reader.mget([keys.idx_entry(i) for i in ids]) if ids else []) if key]
        watch_more(reader, *entry_keys)
        return cls.parse_many(reader.mget(entry_keys) if entry_keys else [], entry_keys)

    def move(self, pipe, new_repo_id):
        old = self.repoId
        pipe.delete(self.key())
        self.remove_from_indexes(pipe)
        self.repoId = new_repo_id
        self.prUrl = moved_github_url(self.prUrl, old, new_repo_id)
        pipe.set(self.key(), self.dumps())
        self.add_to_indexes(pipe)
        self._bump_changelog(pipe)

    @classmethod
    def get(cls, user_id, repo_id, pr_id):
        return cls.get_by_key(keys.entry(user_id, repo_id, pr_id))

    @staticmethod
    def key_for_id(entry_id):
        return kv.get_client().get(keys.idx_entry(entry_id))

    @classmethod
    def get_by_id(cls, entry_id):
        key = cls.key_for_id(entry_id)
        return None if key is None else cls.get_by_key(key)

    @classmethod
    def get_many_by_ids(cls, entry_ids):
        if not entry_ids:
            return []
        entry_keys = [key for key in kv.get_client().mget([keys.idx_entry(i) for i in entry_ids]) if key]
        return cls.get_many_by_keys(entry_keys)

    @classmethod
    def page(cls, user_id, status, repo_id=None, cursor=None, limit=20):
        """A page of a user's entries in ``status``, newest merged first: ``(entries, next_cursor)``."""
        if status not in STATUSES:
            raise ValidationError({"status": "must be one of " + ", ".join(STATUSES)})
        index = (keys.idx_repo_entries(user_id, repo_id, status) if repo_id
                 else keys.idx_user_entries(user_id, status))
        ids, next_cursor = page_of_zset(index, cursor=cursor, limit=limit)
        return cls.get_many_by_ids(ids), next_cursor

    @staticmethod
    def count(user_id, status, repo_id=None):
        index = (keys.idx_repo_entries(user_id, repo_id, status) if repo_id
                 else keys.idx_user_entries(user_id, status))
        return kv.get_client().zcard(index)

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        if key_name == "idx_entry":
            return pointer_is_stale(client, key)
        if key_name in CHANGELOG_INDEXES:
            return cls._stale_changelog_members(fields, key, client)
        stale = []
        for entry_id in client.zrange(key, 0, -1):
            try:
                entry = cls.get_by_id(entry_id)
            except ValueError:
                entry = None
            if entry is None or entry.status != fields["status"]:
                stale.append(entry_id)
        return stale


    @classmethod
    def _stale_changelog_members(cls, fields, key, client):
        """Read-model members whose copy is gone, no longer published or (in a category's set) of
        another category."""
        stale = []
        for member in client.zrange(key, 0, -1):
            try:
                pr_id, user_id = parse_changelog_member(member)
                entry = cls.get_by_key(keys.entry(user_id, fields["repo_name"], pr_id))
            except ValueError:
                entry = None
            if entry is None or entry.status != "published" or fields.get("category", entry.category) != entry.category:
                stale.append(member)
        return stale


@registry.register
class SocialPost(JsonRecord):
    """``social:{userId}:{entryId}:{platform}``; ``idx:social:{userId}:{entryId}`` lists the platforms."""

    parent = "entry"
    key_names = ("social",)
    index_names = ("idx_social_platforms",)
    export_section = "socialPosts"
    ID_PREFIX = "soc"

    id: Id
    entryId: Id
    userId: Id
    platform: Literal[PLATFORMS]
    tweets: Strings | None = None
    post: text(10000) | None = None
    hashtags: Strings = Field(default_factory=list)
    tone: text(100) | None = None
    createdAt: Timestamp

    def key(self):
        return keys.social(self.userId, self.entryId, self.platform)

    def add_to_indexes(self, pipe):
        pipe.sadd(keys.idx_social_platforms(self.userId, self.entryId), self.platform)

    def remove_from_indexes(self, pipe):
        pipe.srem(keys.idx_social_platforms(self.userId, self.entryId), self.platform)

    @classmethod
    def children_of(cls, entry):
        return cls.for_entry(entry.userId, entry.id)

    @classmethod
    def get(cls, user_id, entry_id, platform):
        return cls.get_by_key(keys.social(user_id, entry_id, platform))

    @classmethod
    def for_entry(cls, user_id, entry_id):
        platforms = sorted(kv.get_client().smembers(keys.idx_social_platforms(user_id, entry_id)))
        return cls.get_many_by_keys([keys.social(user_id, entry_id, platform) for platform in platforms])

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        return [platform for platform in client.smembers(key)
                if not client.exists(keys.social(fields["user_id"], fields["entry_id"], platform))]


@registry.register
class EntryGitHubState(OnePerParent):
    """``meta:entry-edited:{entryId}`` (the fields the user edited, which GitHub events leave
    alone) and ``meta:entry-github:{entryId}`` (what GitHub told us about the PR): ours, not
    rebuildable, deleted with the entry (docs/webhooks.md)."""

    parent = "entry"
    id_name = "entry_id"

    def own_keys(self):
        return [keys.meta_entry_edited(self.entry_id), keys.meta_entry_github(self.entry_id)]
