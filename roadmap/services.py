"""The roadmap's domain operations: the owner's items and rules, the public roadmap, upvotes.

Items are ``RoadmapItem`` records (the document's fields only); what the roadmap keeps beside
them (hidden, off the roadmap, the manual column, GitHub's order) is the item's
``meta:roadmap-item:{id}`` hash. Votes live in the document's two counter keys: the pages and the
API read a page of items at a time from the column indexes and their counts from the count keys
(``live_counts``); a save writes the voters into the record too (``with_live_votes``).
See docs/roadmap.md.
"""

import hashlib
import json
import logging

from django.conf import settings

from changelog_site import domain
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError, iso, utc_now
from engagement import services as engagement
from entries.markdown import plain_text
from entries.models import Entry, decode_cursor, encode_cursor
from repos.models import Repo
from roadmap.models import COLUMNS, STATUSES, RoadmapItem
from roadmap.paging import PAGE_MAX, PAGE_SIZE, columns_read, items_by_ids, live_counts, page_limit  # noqa: F401
from roadmap.status import WRITE_BACK_MODES, RoadmapSettings, norm_label

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220
LABELS_SHOWN = 4
LABEL_MAX = 50
LABELS_PER_RULE = 20


class NotFound(domain.NotFound):
    default_detail = "This roadmap does not exist."


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
        """The API's item: the document's fields but ``voterIds`` (who voted is not listed; the count
        is ``upvotes``, also as ``voters``), and the roadmap's state of it."""
        data = self.item.to_dict()
        data.pop("voterIds", None)
        return dict(data, hidden=self.hidden, offRoadmap=self.off, voters=self.item.upvotes)


def owned(items):
    """``OwnedItem``s of ``items`` with their live counts and meta hashes."""
    items = live_counts(items)
    metas = item_meta([item.id for item in items])
    return [OwnedItem(item, metas[item.id]) for item in items]


def owned_page(*, user_id, repo_ids, cursor=None, limit=None):
    """A page of the user's items of ``repo_ids`` (in that order), each repository's by issue number:
    ``(OwnedItems, next_cursor)``. A cursor holds the last (repository, issue number) shown."""
    limit = page_limit(limit)
    position, after = 0, 0
    if cursor:
        issue, repo_id = decode_cursor(cursor)
        if repo_id not in repo_ids or issue != int(issue):
            raise ValidationError({"cursor": "is not a cursor this API gave out"})
        position, after = repo_ids.index(repo_id), int(issue)
    found = []
    for repo_id in repo_ids[position:]:
        rows = kv.get_client().zrangebyscore(keys.idx_roadmap_items(user_id, repo_id), f"({after}", "+inf",
                                             start=0, num=limit + 1 - len(found), withscores=True)
        found += [(repo_id, item_id, int(issue)) for item_id, issue in rows]
        after = 0
        if len(found) > limit:
            break
    shown = found[:limit]
    more = encode_cursor(shown[-1][2], shown[-1][0]) if len(found) > limit else None
    return owned(items_by_ids([item_id for _, item_id, _ in shown])), more


def repo_require(*, user_id, repo_id):
    if Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")


def owned_items(*, user_id, repo_id, limit=None):
    """The first page of the user's items of a repository, by issue number (``NotFound`` when the user
    has none there and did not connect it)."""
    items, _ = owned_page(user_id=user_id, repo_ids=[repo_id], limit=limit)
    if not items:
        repo_require(user_id=user_id, repo_id=repo_id)
    return items


def owned_columns(*, user_id, repo_id, cursors=None):
    """The dashboard's board: ``{column: {"items", "next", "total"}}`` for every column (``off``
    too), each a page of ``PAGE_SIZE`` by votes from its cursor in ``cursors``."""
    pages = columns_read({column: keys.idx_roadmap_column(user_id, repo_id, column) for column in COLUMNS}, cursors)
    items = {o.item.id: o for o in owned(items_by_ids([i for ids, _, _ in pages.values() for i in ids]))}
    return {column: {"items": [items[i] for i in ids if i in items], "next": more, "total": total}
            for column, (ids, more, total) in pages.items()}


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
        current.place(pipe)
        return current

    kv.transaction(apply, item.key(), meta_key)
    return owned_item(user_id=user_id, roadmap_id=roadmap_id)


def owned_item(*, user_id, roadmap_id):
    return owned([_owned(user_id, roadmap_id)])[0]


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
            shipped[entry.id] = {"title": entry.title, "prId": entry.prId}
    return shipped


def _card(item, shipped):
    return {"id": item.id, "issueId": item.issueId, "title": item.title, "status": item.status,
            "summary": plain_text(item.body, limit=SUMMARY_CHARS), "labels": item.labels[:LABELS_SHOWN],
            "upvotes": item.upvotes, "issueUrl": item.githubIssueUrl,
            "shippedIn": shipped.get(item.linkedEntryId) if item.linkedEntryId else None}


def public_roadmap(*, repo_id, cursors=None):
    """The public page's data: three columns of visible items, each the ``PAGE_SIZE`` most voted (then
    lowest issue number) from its cursor in ``cursors``, with ``counts`` and ``more`` (the next page's
    cursor, or None) per column; ``etag`` changes with anything shown. ``NotFound`` for a repository
    nobody connected."""
    owner = public_owner(repo_id)
    if owner is None:
        raise NotFound()
    pages = columns_read({status: keys.idx_roadmap_public(owner, repo_id, status) for status in STATUSES}, cursors)
    items = {item.id: item for item in live_counts(items_by_ids([i for ids, _, _ in pages.values() for i in ids]))}
    shipped = _shipped_in(list(items.values()), repo_id)
    columns = {status: [_card(items[i], shipped) for i in ids if i in items] for status, (ids, _, _) in pages.items()}
    counts = {status: total for status, (_, _, total) in pages.items()}
    more = {status: cursor for status, (_, cursor, _) in pages.items()}
    branding = engagement.branding_get(repo_id=repo_id)
    etag = hashlib.sha256(json.dumps([columns, counts, more, branding], sort_keys=True).encode()).hexdigest()[:32]
    return {"repo_id": repo_id, "columns": columns, "counts": counts, "more": more, "branding": branding,
            "etag": etag, "total": sum(counts.values())}


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
