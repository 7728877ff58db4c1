"""Roadmap items synced from GitHub Issues and their upvotes: what roadmap owns."""

from typing import Literal

from pydantic import Field

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.convert import json_list_to_set
from changelog_site.kv.records import (Id, Integer, JsonRecord, Strings, Timestamp, VoteCounter, pointer_is_stale, text,
                                      utc_now)
from changelog_site.kv.registry import Family, registry, watch_more
from repos.models import moved_github_url, related_repo_ids

STATUSES = ("planned", "in-progress", "completed")


@registry.register
class RoadmapItem(JsonRecord):
    """``roadmap:{userId}:{repoId}:{issueId}``; ``idx:roadmap:{id}`` -> key and
    ``idx:roadmap-items:{userId}:{repoId}`` (ids scored by issue number) list them.

    ``upvotes``/``voterIds`` stay in the JSON as the document has them; the live numbers are
    ``roadmap:upvotes:{id}`` and its voters set (``RoadmapUpvotes``).
    """

    kind = "roadmap"
    parent = "user"
    repo_scope = "user"
    key_names = ("roadmap_item",)
    index_names = ("idx_roadmap", "idx_roadmap_items", "idx_roadmap_entry")
    export_section = "roadmapItems"
    ID_PREFIX = "rmp"

    id: Id
    userId: Id
    repoId: Id
    issueId: Integer
    title: text(1000, blank=False)
    body: text(65536) = ""
    status: Literal[STATUSES] = "planned"
    upvotes: Integer = 0
    voterIds: Strings = Field(default_factory=list)
    githubIssueUrl: text()
    labels: Strings = Field(default_factory=list)
    linkedEntryId: text() | None = None
    createdAt: Timestamp = Field(default_factory=utc_now)
    updatedAt: Timestamp = Field(default_factory=utc_now)

    def key(self):
        return keys.roadmap_item(self.userId, self.repoId, self.issueId)

    def own_keys(self):
        return [self.key(), keys.idx_roadmap(self.id)]

    def add_to_indexes(self, pipe):
        pipe.set(keys.idx_roadmap(self.id), self.key())
        pipe.zadd(keys.idx_roadmap_items(self.userId, self.repoId), {self.id: self.issueId})
        pipe.sadd(keys.idx_user_related_repos(self.userId), self.repoId)
        if self.linkedEntryId:
            pipe.sadd(keys.idx_roadmap_entry(self.linkedEntryId), self.id)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_roadmap(self.id))
        pipe.zrem(keys.idx_roadmap_items(self.userId, self.repoId), self.id)
        if self.linkedEntryId:
            pipe.srem(keys.idx_roadmap_entry(self.linkedEntryId), self.id)

    @classmethod
    def children_of(cls, user):
        return [item for repo_id in related_repo_ids(user.id) for item in cls.for_repo(user.id, repo_id)]

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return [keys.idx_roadmap_items(user_id, repo_id)]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        ids = reader.zrange(keys.idx_roadmap_items(user_id, repo_id), 0, -1)
        item_keys = [key for key in (reader.mget([keys.idx_roadmap(i) for i in ids]) if ids else []) if key]
        watch_more(reader, *item_keys)
        return cls.parse_many(reader.mget(item_keys) if item_keys else [], item_keys)

    def move(self, pipe, new_repo_id):
        old = self.repoId
        pipe.delete(self.key())
        self.remove_from_indexes(pipe)
        self.repoId = new_repo_id
        self.githubIssueUrl = moved_github_url(self.githubIssueUrl, old, new_repo_id)
        pipe.set(self.key(), self.dumps())
        self.add_to_indexes(pipe)

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        """Index the item; its ``upvotes``/``voterIds`` become its counters when it has none
        (docs/roadmap.md)."""
        from roadmap.services import votes_adopt

        item = super().reindex(name, key, fields, pipe, run)
        if item is None:
            return None
        try:
            json_list_to_set(keys.roadmap_upvoters(item.id))
        except ValueError as error:
            run.problem(keys.roadmap_upvoters(item.id), f"unreadable voters list: {error}")
            return item
        if votes_adopt(item):
            run.count("converted:roadmap-votes")
        return item

    @classmethod
    def get(cls, user_id, repo_id, issue_id):
        return cls.get_by_key(keys.roadmap_item(user_id, repo_id, issue_id))

    @classmethod
    def get_by_id(cls, roadmap_id):
        key = kv.get_client().get(keys.idx_roadmap(roadmap_id))
        return None if key is None else cls.get_by_key(key)

    @classmethod
    def for_repo(cls, user_id, repo_id):
        return cls.of_repo(kv.get_client(), repo_id, user_id)

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        if key_name == "idx_roadmap":
            return pointer_is_stale(client, key)
        if key_name == "idx_roadmap_entry":
            items = {item_id: cls.get_by_id(item_id) for item_id in client.smembers(key)}
            return [item_id for item_id, item in items.items()
                    if item is None or item.linkedEntryId != fields["entry_id"]]
        return [item_id for item_id in client.zrange(key, 0, -1) if not client.exists(keys.idx_roadmap(item_id))]


@registry.register
class RoadmapUpvotes(VoteCounter):
    """``roadmap:upvotes:{roadmapId}`` (integer) and ``roadmap:upvotes:{roadmapId}:voters`` (set)."""

    parent = "roadmap"
    key_names = ("roadmap_upvotes", "roadmap_upvoters")

    def __init__(self, roadmap_id):
        super().__init__(keys.roadmap_upvotes(roadmap_id), keys.roadmap_upvoters(roadmap_id))

    @classmethod
    def children_of(cls, item):
        return [cls(item.id)]

    def export(self):
        """The item's ``upvotes``/``voterIds`` as the counters have them (an item never voted on
        through counters keeps its JSON's), so the export agrees with the pages (docs/roadmap.md)."""
        count, voters = self.count(), self.voters()
        return {"upvotes": max(count, len(voters)), "voterIds": sorted(voters)} if count or voters else {}


@registry.register
class RoadmapItemState(Family):
    """What the roadmap keeps about an item beside the document's fields, its watchers and who was
    told it shipped (``meta:roadmap-item``, ``meta:roadmap-watchers``, ``lock:roadmap-notified``,
    all by the item's id): deleted with the item, never moved by a rename."""

    parent = "roadmap"

    def __init__(self, roadmap_id):
        self.roadmap_id = roadmap_id

    @classmethod
    def children_of(cls, item):
        return [cls(item.id)]

    def own_keys(self):
        return [keys.meta_roadmap_item(self.roadmap_id), keys.meta_roadmap_watchers(self.roadmap_id),
                keys.lock_roadmap_notified(self.roadmap_id)]
