"""Roadmap items synced from GitHub Issues and their upvotes: what roadmap owns."""

from typing import Literal

from pydantic import Field

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.convert import json_list_to_set
from changelog_site.kv.records import (Id, Integer, JsonRecord, Strings, Timestamp, VoteCounter, pointer_is_stale, text,
                                      utc_now)
from changelog_site.kv.registry import Family, OnePerParent, registry, watch_more
from repos.models import moved_github_url, related_repo_ids

STATUSES = ("planned", "in-progress", "completed")
COLUMNS = STATUSES + ("off",)  # "off": kept off the public roadmap by GitHub's state (meta ``off``)
VOTE_SCORE_ISSUES = 2 ** 32
VOTES_RANKED_MAX = 2 ** 21 - 1  # past two million votes items rank equal: a score stays an exact double

# Puts an item in its column's indexes (and takes it out of the others) with the score of its votes,
# reading what decides both when the transaction runs: the count, and ``off``/``hidden`` in its meta
# hash. KEYS: the four column indexes (COLUMNS order), the three public ones (STATUSES order), the
# count key, the meta hash. ARGV: item id, its status's position in STATUSES (1-based), the JSON's
# upvotes (when the count key was never written), issue number, VOTE_SCORE_ISSUES, VOTES_RANKED_MAX.
PLACE = """
local issues = tonumber(ARGV[5])
local votes = math.min(tonumber(redis.call('GET', KEYS[8]) or ARGV[3]), tonumber(ARGV[6]))
local score = string.format('%.0f', votes * issues + (issues - 1 - tonumber(ARGV[4])))
local meta = redis.call('HMGET', KEYS[9], 'off', 'hidden')
local column = tonumber(ARGV[2])
if meta[1] and meta[1] ~= '' then
    column = 4
end
for i = 1, 4 do
    if i == column then redis.call('ZADD', KEYS[i], score, ARGV[1]) else redis.call('ZREM', KEYS[i], ARGV[1]) end
end
for i = 1, 3 do
    if i == column and meta[2] ~= '1' then
        redis.call('ZADD', KEYS[4 + i], score, ARGV[1])
    else
        redis.call('ZREM', KEYS[4 + i], ARGV[1])
    end
end
return column
"""


def vote_score(votes, issue_id):
    """An item's score in its column's index: most votes first, then the lower issue number, as one
    integer below 2**53 (exact in a double), so no two items of a column share a score and a page
    can end at a score a cursor names (``PLACE`` and ``RoadmapUpvotes.UPVOTE`` compute the same)."""
    return min(votes, VOTES_RANKED_MAX) * VOTE_SCORE_ISSUES + (VOTE_SCORE_ISSUES - 1 - issue_id)


def column_keys(user_id, repo_id):
    """The seven indexes an item of ``(user_id, repo_id)`` is placed in: ``PLACE``'s KEYS order."""
    return ([keys.idx_roadmap_column(user_id, repo_id, column) for column in COLUMNS]
            + [keys.idx_roadmap_public(user_id, repo_id, status) for status in STATUSES])


@registry.register
class RoadmapItem(JsonRecord):
    """``roadmap:{userId}:{repoId}:{issueId}``; ``idx:roadmap:{id}`` -> key and
    ``idx:roadmap-items:{userId}:{repoId}`` (ids scored by issue number) list them;
    ``idx:roadmap-column:…`` and ``idx:roadmap-public:…`` rank them by votes per column (``PLACE``).

    ``upvotes``/``voterIds`` stay in the JSON as the document has them; the live numbers are
    ``roadmap:upvotes:{id}`` and its voters set (``RoadmapUpvotes``).
    """

    kind = "roadmap"
    parent = "user"
    repo_scope = "user"
    key_names = ("roadmap_item",)
    index_names = ("idx_roadmap", "idx_roadmap_items", "idx_roadmap_entry", "idx_roadmap_column", "idx_roadmap_public")
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
        self.place(pipe)

    def place(self, pipe):
        """Queue ``PLACE`` on ``pipe``: the item in its column's indexes, scored by its votes. Call it
        again after changing ``off``/``hidden`` in the meta hash in the same transaction."""
        kv.get_client().register_script(PLACE)(
            keys=[*column_keys(self.userId, self.repoId), keys.roadmap_upvotes(self.id),
                  keys.meta_roadmap_item(self.id)],
            args=[self.id, STATUSES.index(self.status) + 1, self.upvotes if isinstance(self.upvotes, int) else 0,
                  min(self.issueId, VOTE_SCORE_ISSUES - 1), VOTE_SCORE_ISSUES, VOTES_RANKED_MAX],
            client=pipe)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_roadmap(self.id))
        pipe.zrem(keys.idx_roadmap_items(self.userId, self.repoId), self.id)
        for key in column_keys(self.userId, self.repoId):
            pipe.zrem(key, self.id)
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
    def _column_of(cls, client, item_id, fields, public):
        """``kv_reindex``: the column index of ``fields``' user and repository an item belongs in
        (None: in none of them)."""
        item = cls.get_by_id(item_id)
        if item is None or (item.userId, item.repoId) != (fields["user_id"], fields["repo_id"]):
            return None
        meta = client.hgetall(keys.meta_roadmap_item(item_id))
        if meta.get("off"):
            return None if public else "off"
        return None if public and meta.get("hidden") == "1" else item.status

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
        if key_name in ("idx_roadmap_column", "idx_roadmap_public"):
            return [item_id for item_id in client.zrange(key, 0, -1)
                    if cls._column_of(client, item_id, fields, public=key_name == "idx_roadmap_public")
                    != fields.get("column", fields.get("status"))]
        return [item_id for item_id in client.zrange(key, 0, -1) if not client.exists(keys.idx_roadmap(item_id))]


def replace(pipe, roadmap_id):
    """Queue ``PLACE`` for the item of ``roadmap_id`` when it exists: after a dependent of it was
    deleted in the same transaction. When the whole item goes its dependents are deleted first, so
    the item's own removal still empties its indexes."""
    item = RoadmapItem.get_by_id(roadmap_id)
    if item is not None:
        item.place(pipe)


@registry.register
class RoadmapUpvotes(VoteCounter):
    """``roadmap:upvotes:{roadmapId}`` (integer) and ``roadmap:upvotes:{roadmapId}:voters`` (set)."""

    parent = "roadmap"
    key_names = ("roadmap_upvotes", "roadmap_upvoters")
    # VoteCounter.UPVOTE, and a new vote rescores the item in the indexes it is in (ZADD XX), while
    # ``idx:roadmap:{id}`` (KEYS[3]) still points where the caller found the item (else -1: look again).
    # ARGV: voter, the item's key ('' for none), item id, issue number, VOTE_SCORE_ISSUES, VOTES_RANKED_MAX.
    UPVOTE_PLACED = """
    if (redis.call('GET', KEYS[3]) or '') ~= ARGV[2] then
        return {-1, 0}
    end
    if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
        return {0, tonumber(redis.call('GET', KEYS[1]) or '0')}
    end
    local votes = redis.call('INCR', KEYS[1])
    local issues = tonumber(ARGV[5])
    local score = string.format('%.0f', math.min(votes, tonumber(ARGV[6])) * issues + (issues - 1 - tonumber(ARGV[4])))
    for i = 4, #KEYS do
        redis.call('ZADD', KEYS[i], 'XX', score, ARGV[3])
    end
    return {1, votes}
    """
    LOOKS = 5

    def __init__(self, roadmap_id):
        super().__init__(keys.roadmap_upvotes(roadmap_id), keys.roadmap_upvoters(roadmap_id))
        self.roadmap_id = roadmap_id

    def upvote(self, voter_id):
        """Returns ``(counted, count)``. One script counts the vote and rescores the item in its
        column indexes, so the roadmap's order never lags its counts."""
        pointer = keys.idx_roadmap(self.roadmap_id)
        for _ in range(self.LOOKS):
            item_key = kv.get_client().get(pointer) or ""
            fields = keys.parse(item_key)[1] if item_key else {}
            placed = column_keys(fields["user_id"], fields["repo_id"]) if fields else []
            issue_id = min(int(fields.get("issue_id", 0)), VOTE_SCORE_ISSUES - 1)
            counted, count = kv.run_script(
                self.UPVOTE_PLACED, keys=[self.count_key, self.voters_key, pointer, *placed],
                args=[voter_id, item_key, self.roadmap_id, issue_id, VOTE_SCORE_ISSUES, VOTES_RANKED_MAX])
            if int(counted) >= 0:
                return bool(counted), int(count)
        raise kv.ConflictRetriesExhausted(f"roadmap item {self.roadmap_id} kept moving while being upvoted")

    @classmethod
    def children_of(cls, item):
        return [cls(item.id)]

    def delete_own(self, pipe):
        """The counters go; an item that stays is rescored as its JSON counts it."""
        super().delete_own(pipe)
        replace(pipe, self.roadmap_id)

    def export(self):
        """The item's ``upvotes``/``voterIds`` as the counters have them (an item never voted on
        through counters keeps its JSON's), so the export agrees with the pages (docs/roadmap.md)."""
        count, voters = self.count(), self.voters()
        return {"upvotes": max(count, len(voters)), "voterIds": sorted(voters)} if count or voters else {}


@registry.register
class RoadmapItemState(OnePerParent):
    """What the roadmap keeps about an item beside the document's fields, its watchers and who was
    told it shipped (``meta:roadmap-item``, ``meta:roadmap-watchers``, ``lock:roadmap-notified``,
    all by the item's id): deleted with the item, never moved by a rename."""

    parent = "roadmap"
    id_name = "roadmap_id"

    def own_keys(self):
        return [keys.meta_roadmap_item(self.roadmap_id), keys.meta_roadmap_watchers(self.roadmap_id),
                keys.lock_roadmap_notified(self.roadmap_id)]

    def delete_own(self, pipe):
        """The state goes; an item that stays is placed again without its ``hidden``/``off``."""
        super().delete_own(pipe)
        replace(pipe, self.roadmap_id)


@registry.register
class RoadmapRules(Family):
    """An owner's roadmap rules for one connected repository (``meta:roadmap-settings:{userId}:
    {githubRepoId}``): keyed by GitHub's id so a rename leaves it in place, deleted with the
    connection (disconnect or account deletion)."""

    parent = "repo"

    def __init__(self, user_id, github_repo_id):
        self.user_id, self.github_repo_id = user_id, github_repo_id

    @classmethod
    def children_of(cls, repo):
        return [cls(repo.userId, repo.githubRepoId)]

    def own_keys(self):
        return [keys.meta_roadmap_settings(self.user_id, self.github_repo_id)]
