"""The roadmap's domain operations: the owner's items and rules, the public roadmap, upvotes.

Items are ``RoadmapItem`` records (the document's fields only); what the roadmap keeps beside
them (hidden, off the roadmap, the manual column, GitHub's order) is the item's
``meta:roadmap-item:{id}`` hash. Votes live in the document's two counter keys; every item
handed out here carries the live ``upvotes``/``voterIds`` (``with_live_votes``).
See docs/roadmap.md.
"""

import hashlib
import json
import logging

from django.conf import settings

from changelog_site.errors import ApiError
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError, iso, utc_now
from engagement import services as engagement
from engagement.markdown import plain_text
from entries.models import Entry
from repos.models import Repo
from roadmap.models import STATUSES, RoadmapItem
from roadmap.status import WRITE_BACK_MODES, RoadmapSettings, norm_label

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220
LABELS_SHOWN = 4
LABEL_MAX = 50
LABELS_PER_RULE = 20


class NotFound(ApiError):
    def __init__(self, detail="This roadmap does not exist."):
        super().__init__(404, "not_found", detail)


# --- the item's own keys ---------------------------------------------------------------------

def item_meta(roadmap_ids):
    """``{roadmapId: meta hash}`` in one round trip."""
    pipe = kv.get_client().pipeline(transaction=False)
    for roadmap_id in roadmap_ids:
        pipe.hgetall(keys.meta_roadmap_item(roadmap_id))
    return dict(zip(roadmap_ids, pipe.execute())) if roadmap_ids else {}


def dependent_keys(roadmap_id):
    """Every key that hangs off an item's id: its votes, its meta hash, its watchers."""
    return [keys.roadmap_upvotes(roadmap_id), keys.roadmap_upvoters(roadmap_id), keys.meta_roadmap_item(roadmap_id),
            keys.meta_roadmap_watchers(roadmap_id), keys.lock_roadmap_notified(roadmap_id)]


def item_purge(item, *, pipe=None):
    """Delete an item with its indexes and every key hanging off its id."""
    with kv.atomic(pipe) as p:
        item.delete(pipe=p)
        p.delete(*dependent_keys(item.id))


def with_live_votes(items, reader=None):
    """The items with ``upvotes``/``voterIds`` read from the counters (the authoritative copy); an
    item whose counter was never written keeps the numbers its JSON carries. ``reader``: a pipeline
    under WATCH (its reads run at once), so a record saved in that transaction carries them too."""
    if not items:
        return items
    if reader is not None:
        replies = [reply for item in items for reply in (reader.get(keys.roadmap_upvotes(item.id)),
                                                         reader.smembers(keys.roadmap_upvoters(item.id)))]
    else:
        pipe = kv.get_client().pipeline(transaction=False)
        for item in items:
            pipe.get(keys.roadmap_upvotes(item.id))
            pipe.smembers(keys.roadmap_upvoters(item.id))
        replies = pipe.execute()
    for index, item in enumerate(items):
        count, voters = replies[2 * index], replies[2 * index + 1]
        if count is not None or voters:
            item.upvotes = max(int(count or 0), len(voters))
            item.voterIds = sorted(voters)
    return items


def effective_status(meta, recorded):
    """The column an item shows: the manual one while GitHub's state is what it was when it was
    set, else GitHub's, else what the record says (an item no event has touched yet)."""
    derived, manual = meta.get("derived") or "", meta.get("manual") or ""
    if manual in STATUSES and meta.get("manualBase", "") == derived:
        return manual
    return derived if derived in STATUSES else recorded


# --- the owner's rules -------------------------------------------------------------------------

def settings_for(user_ids, github_repo_id):
    """``{userId: RoadmapSettings}`` (defaults for a user who never changed them)."""
    user_ids = list(user_ids)
    raws = kv.get_client().mget([keys.meta_roadmap_settings(u, github_repo_id) for u in user_ids]) if user_ids else []
    return {user_id: RoadmapSettings.from_json(json.loads(raw) if raw else {}) for user_id, raw in zip(user_ids, raws)}


def settings_get(*, user_id, github_repo_id):
    return settings_for([user_id], github_repo_id)[user_id]


def _label_list(text, field, errors):
    labels = [norm_label(part) for part in (text or "").split(",") if norm_label(part)]
    if len(labels) > LABELS_PER_RULE or any(len(label) > LABEL_MAX for label in labels):
        errors[field] = f"at most {LABELS_PER_RULE} labels of at most {LABEL_MAX} characters"
    return tuple(dict.fromkeys(labels))


def settings_update(*, user_id, repo_id, label_filter, planned_labels, in_progress_labels, completed_labels,
                    write_back):
    """Save an owner's roadmap rules for a repository they connected; label lists are comma-separated."""
    repo = Repo.get(user_id, repo_id)
    if repo is None:
        raise NotFound("You have not connected this repository.")
    errors = {}
    label_filter = norm_label(label_filter)
    if len(label_filter) > LABEL_MAX:
        errors["labelFilter"] = f"must be at most {LABEL_MAX} characters"
    if write_back not in WRITE_BACK_MODES:
        errors["writeBack"] = "must be one of " + ", ".join(WRITE_BACK_MODES)
    rules = RoadmapSettings(
        label_filter=label_filter, planned_labels=_label_list(planned_labels, "plannedLabels", errors),
        in_progress_labels=_label_list(in_progress_labels, "inProgressLabels", errors),
        completed_labels=_label_list(completed_labels, "completedLabels", errors), write_back=write_back,
        updated_at=iso(utc_now()))
    if errors:
        raise ValidationError(errors)
    kv.get_client().set(keys.meta_roadmap_settings(user_id, repo.githubRepoId),
                        json.dumps(rules.to_json(), separators=(",", ":")))
    return rules


# --- the owner's items -------------------------------------------------------------------------

class OwnedItem:
    """An item as its owner sees it: the record (live votes) and the roadmap's state of it."""

    def __init__(self, item, meta):
        self.item = item
        self.hidden = meta.get("hidden") == "1"
        self.off = meta.get("off") or None
        self.manual = effective_status(meta, item.status) == meta.get("manual")

    def to_dict(self):
        return dict(self.item.to_dict(), hidden=self.hidden, offRoadmap=self.off, voters=len(self.item.voterIds))


def owned_items(*, user_id, repo_id):
    """The user's roadmap items for a repository, by issue number, with live votes and state."""
    items = with_live_votes(RoadmapItem.for_repo(user_id, repo_id))
    if not items and Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")
    metas = item_meta([item.id for item in items])
    return [OwnedItem(item, metas[item.id]) for item in items]


def _owned(user_id, roadmap_id):
    item = RoadmapItem.get_by_id(roadmap_id)
    if item is None or item.userId != user_id:
        raise NotFound("No such roadmap item.")
    return item


def item_update(*, user_id, roadmap_id, status=None, hidden=None):
    """The owner moves an item to another column (kept until GitHub's state of the issue changes)
    and/or hides it from the public roadmap. One WATCH/MULTI on the record and its meta hash."""
    item = _owned(user_id, roadmap_id)
    if status is not None and status not in STATUSES:
        raise ValidationError({"status": "must be one of " + ", ".join(STATUSES)})
    meta_key = keys.meta_roadmap_item(item.id)

    def apply(pipe):
        raw = pipe.get(item.key())
        if raw is None:
            raise NotFound("No such roadmap item.")
        current, meta = with_live_votes([RoadmapItem.loads(raw)], pipe)[0], pipe.hgetall(meta_key)
        pipe.multi()
        if status is not None and status != current.status:
            current.status, current.updatedAt = status, iso(utc_now())
            current.save(pipe=pipe)
        if status is not None:
            pipe.hset(meta_key, mapping={"manual": status, "manualBase": meta.get("derived", "")})
        if hidden is True:
            pipe.hset(meta_key, "hidden", "1")
        elif hidden is False:
            pipe.hdel(meta_key, "hidden")
        return current

    kv.transaction(apply, item.key(), meta_key)
    return owned_item(user_id=user_id, roadmap_id=roadmap_id)


def owned_item(*, user_id, roadmap_id):
    item = with_live_votes([_owned(user_id, roadmap_id)])[0]
    return OwnedItem(item, item_meta([item.id])[item.id])


# --- the public roadmap --------------------------------------------------------------------------

def public_owner(repo_id):
    """Whose roadmap the public page shows when several accounts connected the repository: the
    first to connect it (then the smaller userId). None when nobody did."""
    repos = [repo for repo in (Repo.get(user_id, repo_id) for user_id in Repo.user_ids_for(repo_id)) if repo]
    if not repos:
        return None
    return min(repos, key=lambda repo: (repo.connectedAt, repo.userId)).userId


def roadmap_url(repo_id, absolute=False):
    path = f"/roadmap/{repo_id}/"
    return settings.PUBLIC_BASE_URL + path if absolute else path


def _shipped_in(items, repo_id):
    linked = [item.linkedEntryId for item in items if item.status == "completed" and item.linkedEntryId]
    shipped = {}
    for entry in Entry.get_many_by_ids(linked) if linked else []:
        if entry.status == "published" and entry.repoId == repo_id:
            shipped[entry.id] = {"title": entry.title, "url": engagement.entry_url(repo_id, entry.prId)}
    return shipped


def _card(item, shipped):
    return {"id": item.id, "issueId": item.issueId, "title": item.title, "status": item.status,
            "summary": plain_text(item.body, limit=SUMMARY_CHARS), "labels": item.labels[:LABELS_SHOWN],
            "upvotes": item.upvotes, "issueUrl": item.githubIssueUrl,
            "shippedIn": shipped.get(item.linkedEntryId) if item.linkedEntryId else None}


def public_roadmap(*, repo_id):
    """The public page's data: three columns of visible items, each sorted by votes (then issue
    number); ``etag`` changes with anything shown. ``NotFound`` for a repository nobody connected."""
    owner = public_owner(repo_id)
    if owner is None:
        raise NotFound()
    items = with_live_votes(RoadmapItem.for_repo(owner, repo_id))
    metas = item_meta([item.id for item in items])
    visible = [item for item in items if metas[item.id].get("hidden") != "1" and not metas[item.id].get("off")]
    shipped = _shipped_in(visible, repo_id)
    columns = {status: [] for status in STATUSES}
    for item in visible:
        columns[item.status].append(_card(item, shipped))
    for cards in columns.values():
        cards.sort(key=lambda card: (-card["upvotes"], card["issueId"]))
    branding = engagement.branding_get(repo_id=repo_id)
    etag = hashlib.sha256(json.dumps([columns, branding], sort_keys=True).encode()).hexdigest()[:32]
    return {"repo_id": repo_id, "columns": columns, "branding": branding, "etag": etag,
            "total": len(visible), "changelog_url": engagement.changelog_url(repo_id),
            "canonical_url": roadmap_url(repo_id, absolute=True), "home_url": roadmap_url(repo_id)}


def public_item(*, repo_id, issue_id):
    """The item the public page shows for an issue, or ``NotFound`` (hidden, off, unknown)."""
    owner = public_owner(repo_id)
    item = RoadmapItem.get(owner, repo_id, issue_id) if owner else None
    meta = item_meta([item.id])[item.id] if item else {}
    if item is None or meta.get("hidden") == "1" or meta.get("off"):
        raise NotFound("This item is not on the roadmap.")
    return item


ADOPT_VOTES = """
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('TYPE', KEYS[2])['ok'] == 'string' then
    return 0
end
for i = 2, #ARGV do
    redis.call('SADD', KEYS[2], ARGV[i])
end
local count = math.max(redis.call('SCARD', KEYS[2]), tonumber(ARGV[1]))
if count == 0 then
    return 0
end
redis.call('SET', KEYS[1], count)
return 1
"""


def votes_adopt(item):
    """``kv_reindex``: give an item written by another implementation the counters its JSON implies
    (its ``voterIds`` into the voters set, a count of at least its ``upvotes``), when it has no count
    key yet. True when the counters were written; never lowers existing ones."""
    voters = [voter for voter in item.voterIds or () if isinstance(voter, str) and voter]
    upvotes = item.upvotes if isinstance(item.upvotes, int) and item.upvotes > 0 else 0
    return bool(kv.run_script(ADOPT_VOTES, keys=[keys.roadmap_upvotes(item.id), keys.roadmap_upvoters(item.id)],
                              args=[upvotes, *voters]))
