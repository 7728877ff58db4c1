"""GitHub issues -> roadmap items, for every user who connected the repository.

``issues_delivery`` handles an ``issues`` webhook (the intake in github_sync dispatches to it);
the import (``roadmap.importer``) feeds REST issues through the same ``issue_apply``.

Idempotent and order-safe like the PR ingest: each change is ONE WATCH/MULTI over every user's
copy of the issue, with the delivery's marker set in the same MULTI (a redelivery changes
nothing), and an issue state is applied only when its ``updated_at`` is not older than the newest
one applied before (``issueUpdatedAt`` in the item's meta hash), so a late, older delivery never
moves an item back. A deleted or transferred-away issue leaves a tombstone
(``meta:roadmap-deleted:{githubRepoId}``) that older events cannot get past.
"""

import logging

from changelog_site.domain import Outcome
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now
from repos.models import Repo
from roadmap.models import RoadmapItem
from roadmap.services import effective_status, item_purge, settings_for, with_live_votes
from roadmap.status import PayloadError, derive, is_pull_request, item_fields, updated_at

log = logging.getLogger(__name__)

SNAPSHOT_ACTIONS = ("opened", "edited", "labeled", "unlabeled", "closed", "reopened", "milestoned", "demilestoned")
ISSUE_ACTIONS = SNAPSHOT_ACTIONS + ("deleted", "transferred")
DELIVERY_MARKER_SECONDS = 7 * 24 * 3600  # as the PR ingest: GitHub redelivers for three days
META_FIELDS = ("issueUpdatedAt", "derived", "off")

MERGE_VOTES = """
redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[4])
local count = math.max(redis.call('SCARD', KEYS[2]), tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], count)
redis.call('DEL', KEYS[3], KEYS[4])
return count
"""


def _repository(payload):
    repository = payload.get("repository")
    if not isinstance(repository, dict) or not isinstance(repository.get("id"), int) \
            or not keys.REPO_NAME.match(str(repository.get("full_name") or "")):
        raise PayloadError("repository.full_name (owner/repo) and repository.id are required")
    return repository


def connected(repository):
    """``(name, user_ids)``: the name the repository is stored under (GitHub's id first, the
    payload's name as a fallback) and who connected it; ``(None, [])`` when nobody did."""
    for name in (Repo.name_for_github_id(repository["id"]), repository["full_name"]):
        user_ids = Repo.user_ids_for(name) if name else []
        if user_ids:
            return name, user_ids
    return None, []


def _once(delivery_id, func, *watched):
    """``func`` under WATCH, applied once per delivery id (the PR ingest's marker, same key)."""
    marker = keys.github_delivery(delivery_id) if delivery_id else None
    return kv.transaction_once(marker, func, *watched, marker_seconds=DELIVERY_MARKER_SECONDS)


def _read_items(pipe, item_keys):
    """``{userId: RoadmapItem}`` (live votes) for the keys that exist, and ``{userId: meta}`` (WATCHed too)."""
    items = {user_id: RoadmapItem.loads(raw) for user_id, raw in
             ((user_id, pipe.get(key)) for user_id, key in item_keys.items()) if raw is not None}
    if items:
        pipe.watch(*(keys.meta_roadmap_item(item.id) for item in items.values()))
        with_live_votes(list(items.values()), pipe)
    return items, {user_id: pipe.hgetall(keys.meta_roadmap_item(item.id)) for user_id, item in items.items()}


def _plan(user_id, repo_name, item, meta, fields, derivation, stamp):
    """``(outcome, item to save or None, meta to write, meta fields to drop)`` for one user."""
    if item is not None and (meta.get("issueUpdatedAt") or "") > stamp:
        return "stale", None, {}, []
    new_meta = {"issueUpdatedAt": stamp, "derived": derivation.status or "", "off": derivation.off}
    if item is None:
        if derivation.status is None:
            return "not_on_roadmap", None, {}, []
        item = RoadmapItem(userId=user_id, repoId=repo_name, status=derivation.status, **fields)
        return "created", item, new_meta, []
    before = item.to_dict()
    for name, value in fields.items():
        setattr(item, name, value)
    merged = {**meta, **new_meta}
    dropped = []
    if merged.get("manual") and merged.get("manualBase", "") != merged["derived"]:
        dropped = ["manual", "manualBase"]
        merged = {name: value for name, value in merged.items() if name not in dropped}
    item.status = effective_status(merged, item.status)
    changed = item.to_dict() != before
    if changed:
        item.updatedAt = iso(utc_now())
    outcome = "off" if derivation.off else ("updated" if changed or dropped or
                                            any(meta.get(n, "") != new_meta[n] for n in META_FIELDS) else "unchanged")
    return outcome, item if changed else None, new_meta, dropped


def _write_meta(pipe, roadmap_id, values, dropped=()):
    key = keys.meta_roadmap_item(roadmap_id)
    present = {name: value for name, value in values.items() if value}
    if present:
        pipe.hset(key, mapping=present)
    empty = [name for name, value in values.items() if not value] + list(dropped)
    if empty:
        pipe.hdel(key, *empty)


def issue_apply(*, repo_name, github_repo_id, user_ids, issue, delivery_id=None):
    """Apply one issue's state (a webhook's or the REST API's) to every user's roadmap.

    Returns ``{userId: outcome}`` (``created``, ``updated``, ``unchanged``, ``off``, ``stale``,
    ``not_on_roadmap``, ``deleted``), or None when the delivery was applied before.
    """
    fields, stamp = item_fields(issue), updated_at(issue)
    user_ids = list(user_ids)
    rules = settings_for(user_ids, github_repo_id)
    item_keys = {user_id: keys.roadmap_item(user_id, repo_name, fields["issueId"]) for user_id in user_ids}
    tombstones = keys.meta_roadmap_deleted(github_repo_id)

    def apply(pipe):
        buried = pipe.hget(tombstones, str(fields["issueId"]))
        if buried and stamp <= buried:
            return {user_id: "deleted" for user_id in user_ids}
        items, metas = _read_items(pipe, item_keys)
        plans = {user_id: _plan(user_id, repo_name, items.get(user_id), metas.get(user_id, {}), fields,
                                derive(issue, rules[user_id]), stamp) for user_id in user_ids}
        for _, item, _, _ in plans.values():
            if item is not None:
                item.validate()
        pipe.multi()
        for user_id, (outcome, item, meta, dropped) in plans.items():
            if item is not None:
                item.save(pipe=pipe)
            if meta:
                _write_meta(pipe, (item or items[user_id]).id, meta, dropped)
                (item or items[user_id]).place(pipe)  # "off" may have changed: its column indexes follow
        return {user_id: plan[0] for user_id, plan in plans.items()}

    return _once(delivery_id, apply, *item_keys.values(), tombstones)


def _bury(pipe, tombstones, number, stamp, buried):
    pipe.hset(tombstones, str(number), max(stamp, buried or ""))


def issue_remove(*, repo_name, github_repo_id, user_ids, issue_number, stamp, delivery_id=None):
    """An issue deleted on GitHub (or gone when the import looked): every user's item goes, with
    its votes and meta, and a tombstone stops older events from bringing it back."""
    item_keys = {user_id: keys.roadmap_item(user_id, repo_name, issue_number) for user_id in user_ids}
    tombstones = keys.meta_roadmap_deleted(github_repo_id)

    def apply(pipe):
        buried = pipe.hget(tombstones, str(issue_number))
        items, _ = _read_items(pipe, item_keys)
        pipe.multi()
        for item in items.values():
            item_purge(item, pipe=pipe)
        _bury(pipe, tombstones, issue_number, stamp, buried)
        return {user_id: "removed" if user_id in items else "absent" for user_id in user_ids}

    return _once(delivery_id, apply, *item_keys.values(), tombstones)


def _merge_votes(pipe, source_id, target_id):
    script = kv.get_client().register_script(MERGE_VOTES)
    script(keys=[keys.roadmap_upvotes(target_id), keys.roadmap_upvoters(target_id),
                 keys.roadmap_upvotes(source_id), keys.roadmap_upvoters(source_id)], client=pipe)


def issue_transfer(*, repo_name, github_repo_id, user_ids, issue, new_issue, new_repository, delivery_id=None):
    """An issue moved to another repository. A user who connected that one too keeps the item,
    with its id and votes, under its new repository and number (votes are merged into an item
    already made there by the new repository's own ``opened``); for everyone else it goes."""
    number, stamp = item_fields(issue)["issueId"], updated_at(issue)
    new_fields = item_fields(new_issue)
    target_name = (Repo.name_for_github_id(new_repository["id"]) if isinstance(new_repository.get("id"), int)
                   else None) or new_repository.get("full_name") or ""
    movable = {user_id for user_id in user_ids
               if keys.REPO_NAME.match(target_name) and Repo.get(user_id, target_name) is not None}
    item_keys = {user_id: keys.roadmap_item(user_id, repo_name, number) for user_id in user_ids}
    target_keys = {user_id: keys.roadmap_item(user_id, target_name, new_fields["issueId"]) for user_id in movable}
    tombstones = keys.meta_roadmap_deleted(github_repo_id)

    def apply(pipe):
        buried = pipe.hget(tombstones, str(number))
        items, _ = _read_items(pipe, item_keys)
        targets = {user_id: pipe.get(key) for user_id, key in target_keys.items()}
        pipe.multi()
        outcomes = {}
        for user_id in user_ids:
            item = items.get(user_id)
            if item is None:
                outcomes[user_id] = "absent"
            elif user_id in movable and targets[user_id] is not None:
                target = RoadmapItem.loads(targets[user_id])
                _merge_votes(pipe, item.id, target.id)
                target.place(pipe)  # rescored with the merged count
                item_purge(item, pipe=pipe)
                outcomes[user_id] = "merged"
            elif user_id in movable:
                item.delete_own(pipe)  # only the record and its indexes: its votes and state keep its id
                item.repoId = target_name
                for name, value in new_fields.items():
                    setattr(item, name, value)
                item.updatedAt = iso(utc_now())
                item.save(pipe=pipe)
                pipe.hdel(keys.meta_roadmap_item(item.id), "issueUpdatedAt")
                outcomes[user_id] = "moved"
            else:
                item_purge(item, pipe=pipe)
                outcomes[user_id] = "removed"
        _bury(pipe, tombstones, number, stamp, buried)
        return outcomes

    return _once(delivery_id, apply, *item_keys.values(), *target_keys.values(), tombstones)


def issues_delivery(*, delivery_id, payload):
    """One ``issues`` webhook delivery -> its ``Outcome``. Raises ``PayloadError`` for a malformed issue."""
    action = payload.get("action")
    if action not in ISSUE_ACTIONS:
        return Outcome("ignored", {"reason": "unhandled_action"})
    issue = payload.get("issue")
    if not isinstance(issue, dict):
        raise PayloadError("issue is missing")
    repository = _repository(payload)
    if is_pull_request(issue):
        return Outcome("ignored", {"reason": "pull_request"})
    item_fields(issue)  # refuse a malformed issue before anything is looked up
    updated_at(issue)
    name, user_ids = connected(repository)
    if name is None:
        return Outcome("ignored", {"reason": "not_connected"})
    common = {"repo_name": name, "github_repo_id": repository["id"], "user_ids": user_ids, "delivery_id": delivery_id}
    if action == "deleted":
        outcomes = issue_remove(issue_number=issue["number"], stamp=updated_at(issue), **common)
    elif action == "transferred":
        changes = payload.get("changes") or {}
        new_issue, new_repository = changes.get("new_issue"), changes.get("new_repository")
        if not isinstance(new_issue, dict) or not isinstance(new_repository, dict):
            raise PayloadError("changes.new_issue and changes.new_repository are required")
        outcomes = issue_transfer(issue=issue, new_issue=new_issue, new_repository=new_repository, **common)
    else:
        outcomes = issue_apply(issue=issue, **common)
    if outcomes is None:
        return Outcome("duplicate")
    counts = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return Outcome("processed", {"roadmap": counts})
