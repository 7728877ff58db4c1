"""Roadmap items synced from GitHub Issues and their upvotes: what roadmap owns."""

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Field, JsonRecord, VoteCounter, iso, utc_now
from entries.models import new_id

STATUSES = ("planned", "in-progress", "completed")


class RoadmapItem(JsonRecord):
    """``roadmap:{userId}:{repoId}:{issueId}``; ``idx:roadmap:{id}`` -> key and
    ``idx:roadmap-items:{userId}:{repoId}`` (ids scored by issue number) list them.

    ``upvotes``/``voterIds`` stay in the JSON as the document has them; the live numbers are
    ``roadmap:upvotes:{id}`` and its voters set (``RoadmapUpvotes``).
    """

    id = Field(str, min_length=1)
    userId = Field(str, min_length=1)
    repoId = Field(str, min_length=1)
    issueId = Field(int)
    title = Field(str, min_length=1, max_length=1000)
    body = Field(str, default="", max_length=65536)
    status = Field(str, choices=STATUSES, default="planned")
    upvotes = Field(int, default=0)
    voterIds = Field(list, default=list)
    githubIssueUrl = Field(str)
    labels = Field(list, default=list)
    linkedEntryId = Field(str, required=False)
    createdAt = Field("datetime", default=lambda: iso(utc_now()))
    updatedAt = Field("datetime", default=lambda: iso(utc_now()))

    def __init__(self, **values):
        super().__init__(**values)
        if not self.id:
            self.id = new_id("rmp")

    def key(self):
        return keys.roadmap_item(self.userId, self.repoId, self.issueId)

    def add_to_indexes(self, pipe):
        pipe.set(keys.idx_roadmap(self.id), self.key())
        pipe.zadd(keys.idx_roadmap_items(self.userId, self.repoId), {self.id: self.issueId})
        pipe.sadd(keys.idx_user_related_repos(self.userId), self.repoId)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_roadmap(self.id))
        pipe.zrem(keys.idx_roadmap_items(self.userId, self.repoId), self.id)

    @classmethod
    def get(cls, user_id, repo_id, issue_id):
        return cls.get_by_key(keys.roadmap_item(user_id, repo_id, issue_id))

    @classmethod
    def get_by_id(cls, roadmap_id):
        key = kv.get_client().get(keys.idx_roadmap(roadmap_id))
        return None if key is None else cls.get_by_key(key)

    @classmethod
    def for_repo(cls, user_id, repo_id):
        client = kv.get_client()
        ids = client.zrange(keys.idx_roadmap_items(user_id, repo_id), 0, -1)
        if not ids:
            return []
        item_keys = [key for key in client.mget([keys.idx_roadmap(i) for i in ids]) if key]
        return cls.get_many_by_keys(item_keys)


class RoadmapUpvotes(VoteCounter):
    """``roadmap:upvotes:{roadmapId}`` (integer) and ``roadmap:upvotes:{roadmapId}:voters`` (set)."""

    def __init__(self, roadmap_id):
        super().__init__(keys.roadmap_upvotes(roadmap_id), keys.roadmap_upvoters(roadmap_id))
