"""Changelog entries and their social posts: the collections entries owns."""

import base64
import secrets
import time

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Field, JsonRecord, ValidationError, parse_iso

CATEGORIES = ("New", "Fixed", "Improved", "Other")
STATUSES = ("draft", "published")
PLATFORMS = ("twitter", "linkedin")
TEXT_SOURCES = ("original", "aiRewrite")
TITLE_MAX = 300
BODY_MAX = 65536


def new_id(prefix):
    """An opaque, URL-safe, globally unique id with no ':' (CONTRACT.md)."""
    return f"{prefix}_{secrets.token_urlsafe(18)}"


def encode_cursor(score, member):
    return base64.urlsafe_b64encode(f"{score!r}|{member}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, member = text.split("|", 1)
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


class Entry(JsonRecord):
    """``entry:{userId}:{repoId}:{prId}``.

    Indexes: ``idx:entry:{id}`` -> key, and the user's ZSETs of entry ids per status, all
    repositories together and per repository, scored by ``mergedAt``. A save adds the entry
    to its status's ZSETs and removes it from the other status's, in the same transaction.
    """

    id = Field(str, min_length=1)
    userId = Field(str, min_length=1)
    repoId = Field(str, min_length=1)
    prId = Field(int)
    title = Field(str, max_length=TITLE_MAX, min_length=1)
    body = Field(str, max_length=BODY_MAX, default="")
    category = Field(str, choices=CATEGORIES, default="Other")
    status = Field(str, choices=STATUSES, default="draft")
    mergedAt = Field("datetime")
    publishedAt = Field("datetime", required=False)
    prUrl = Field(str)
    author = Field(str)
    aiRewrite = Field(str, required=False, nullable=True, max_length=BODY_MAX)
    labels = Field(list, default=list)
    textSource = Field(str, required=False, choices=TEXT_SOURCES)

    def __init__(self, **values):
        super().__init__(**values)
        if not self.id:
            self.id = new_id("ent")

    def public_text(self):
        """The markdown readers see: the AI rewrite unless the owner chose the original text
        (``textSource``, a Shiplog extension field other implementations ignore)."""
        if (self.aiRewrite or "").strip() and self.textSource != "original":
            return self.aiRewrite
        return self.body

    def key(self):
        return keys.entry(self.userId, self.repoId, self.prId)

    def score(self):
        return parse_iso(self.mergedAt).timestamp()

    def add_to_indexes(self, pipe):
        pipe.set(keys.idx_entry(self.id), self.key())
        for status in STATUSES:
            everywhere = keys.idx_user_entries(self.userId, status)
            in_repo = keys.idx_repo_entries(self.userId, self.repoId, status)
            if status == self.status:
                pipe.zadd(everywhere, {self.id: self.score()})
                pipe.zadd(in_repo, {self.id: self.score()})
            else:
                pipe.zrem(everywhere, self.id)
                pipe.zrem(in_repo, self.id)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_entry(self.id))
        for status in STATUSES:
            pipe.zrem(keys.idx_user_entries(self.userId, status), self.id)
            pipe.zrem(keys.idx_repo_entries(self.userId, self.repoId, status), self.id)

    def save(self, pipe=None):
        """Write the entry and its indexes, and bump the repository's public changelog version in
        the same transaction, so no cached page outlives a publish, unpublish, edit or delete
        (docs/public-changelog.md). kv_reindex, which only re-adds indexes, leaves it alone."""
        with kv.atomic(pipe) as p:
            super().save(pipe=p)
            p.set(keys.cache_changelog_version(self.repoId), str(time.time_ns()))
        return self

    def delete(self, pipe=None):
        with kv.atomic(pipe) as p:
            super().delete(pipe=p)
            p.set(keys.cache_changelog_version(self.repoId), str(time.time_ns()))

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


class SocialPost(JsonRecord):
    """``social:{userId}:{entryId}:{platform}``; ``idx:social:{userId}:{entryId}`` lists the platforms."""

    id = Field(str, min_length=1)
    entryId = Field(str, min_length=1)
    userId = Field(str, min_length=1)
    platform = Field(str, choices=PLATFORMS)
    tweets = Field(list, required=False)
    post = Field(str, required=False, max_length=10000)
    hashtags = Field(list, default=list)
    tone = Field(str, required=False, max_length=100)
    createdAt = Field("datetime")

    def __init__(self, **values):
        super().__init__(**values)
        if not self.id:
            self.id = new_id("soc")

    def key(self):
        return keys.social(self.userId, self.entryId, self.platform)

    def add_to_indexes(self, pipe):
        pipe.sadd(keys.idx_social_platforms(self.userId, self.entryId), self.platform)

    def remove_from_indexes(self, pipe):
        pipe.srem(keys.idx_social_platforms(self.userId, self.entryId), self.platform)

    @classmethod
    def get(cls, user_id, entry_id, platform):
        return cls.get_by_key(keys.social(user_id, entry_id, platform))

    @classmethod
    def for_entry(cls, user_id, entry_id):
        platforms = sorted(kv.get_client().smembers(keys.idx_social_platforms(user_id, entry_id)))
        return cls.get_many_by_keys([keys.social(user_id, entry_id, platform) for platform in platforms])
