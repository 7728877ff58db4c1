"""Operations on changelog entries.

GitHub sync: ``entries_sync_from_pr`` writes one PR's draft for every user who connected its
repository in a single WATCH/MULTI transaction, together with the delivery's idempotency
marker. User edits are remembered in ``meta:entry-edited:{entryId}`` (``entry_fields_mark_edited``,
which the entry PATCH must call) and are never overwritten by GitHub.
"""

from datetime import timedelta

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import parse_iso, utc_now
from entries import github_loop, github_pr
from entries.models import Entry

DELIVERY_MARKER_TTL = 7 * 24 * 3600  # GitHub lets you redeliver for three days
LATE_CREATE_WINDOW = timedelta(hours=1)  # a later event may create a draft this soon after the merge
GITHUB_FIELDS = ("title", "body", "category", "labels")
USER_EDITABLE = ("title", "body", "category")


def entry_purge(entry, *, pipe=None):
    """Delete an entry with everything hanging off it (its registered family: social drafts,
    upvotes, page views, its clicks in the repository's widget, what GitHub told us)."""
    entry.delete(pipe)


def entry_fields_mark_edited(*, entry_id, fields, pipe=None):
    """Remember that the user edited ``fields`` of an entry: later GitHub events keep their hands off."""
    fields = [name for name in fields if name in USER_EDITABLE]
    if not fields:
        return
    with kv.atomic(pipe) as p:
        p.sadd(keys.meta_entry_edited(entry_id), *fields)


def entries_github_states(*, entry_ids):
    """What GitHub told us about each entry's PR (``prUpdatedAt``, ``revert`` ("1"), ``revertsPr``),
    in one round trip: ``{entryId: state}``."""
    pipe = kv.get_client().pipeline(transaction=False)
    for entry_id in entry_ids:
        pipe.hgetall(keys.meta_entry_github(entry_id))
    return dict(zip(entry_ids, pipe.execute())) if entry_ids else {}


def _pr_updated_at(pr):
    for name in ("updated_at", "closed_at", "merged_at"):
        if pr.get(name):
            try:
                return parse_iso(pr[name])
            except (TypeError, ValueError):
                continue
    return None


def _queue_sidecar(pipe, entry_id, fields, updated_at):
    state = {"revert": "1" if fields.get("_revert") else "0"}
    if updated_at is not None:
        state["prUpdatedAt"] = updated_at.isoformat()
    if fields.get("_revertsPr"):
        state["revertsPr"] = str(fields["_revertsPr"])
    pipe.hset(keys.meta_entry_github(entry_id), mapping=state)


def entries_sync_from_pr(*, repo_name, pr, rules_by_user, may_create, delivery_id=None, only_create=False,
                         pr_loop=None):
    """Bring every connected user's entry for ``pr`` in line with it, atomically.

    ``rules_by_user`` maps each connected userId to its ``github_pr.Rules``; ``may_create`` is
    True, False or the set of userIds for whom a missing entry may be created. With
    ``delivery_id`` the delivery's marker is checked and set in the same transaction, so a
    redelivery changes nothing. ``only_create`` (backfill) never touches an existing entry.
    ``pr_loop`` maps userIds to ``(issue numbers, credits)``, what the PR fixes and who to thank
    (github_sync's reading of it): recorded beside each created or updated draft in the same
    transaction (``entries.github_loop``; issue titles already fetched are kept).

    Returns ``{"duplicate": bool, "results": {userId: "created"|"updated"|"unchanged"|...},
    "fetch": [ids of the entries with issue titles to fetch]}``.
    Raises ``github_pr.PayloadError`` before anything is written when the PR lacks fields.
    """
    user_ids = sorted(rules_by_user)
    if not isinstance(pr, dict) or not isinstance(pr.get("number"), int):
        raise github_pr.PayloadError("pull_request.number is missing")
    number = pr["number"]
    fields_by_user = {user_id: github_pr.entry_fields(pr, rules_by_user[user_id]) for user_id in user_ids}
    updated_at = _pr_updated_at(pr)
    marker = keys.github_delivery(delivery_id) if delivery_id else None
    entry_keys = {user_id: keys.entry(user_id, repo_name, number) for user_id in user_ids}
    watched = list(entry_keys.values()) + ([marker] if marker else [])

    def apply(pipe):
        # the delivery's marker and every user's entry in one read (under the WATCH)
        read = pipe.mget(([marker] if marker else []) + [entry_keys[user_id] for user_id in user_ids])
        if marker and read.pop(0) is not None:
            return {"duplicate": True, "results": {}}
        raws = dict(zip(user_ids, read))
        plans, results, fixes_before = [], {}, {}
        for user_id in user_ids:
            fields = fields_by_user[user_id]
            raw = raws[user_id]
            existing = Entry.loads(raw) if raw else None
            allowed = may_create is True or (not isinstance(may_create, bool) and user_id in may_create)
            if existing is None:
                if isinstance(fields, github_pr.Skip):
                    results[user_id] = fields.reason
                elif not allowed:
                    results[user_id] = "not_created"
                else:
                    entry = Entry(userId=user_id, repoId=repo_name, prId=number, status="draft", aiRewrite=None,
                                  **{k: v for k, v in fields.items() if not k.startswith("_")})
                    entry.validate()
                    plans.append(("create", entry, fields))
                    results[user_id] = "created"
                continue
            if only_create:
                results[user_id] = "exists"
                continue
            if existing.status == "published":
                results[user_id] = "published_unchanged"
                continue
            pipe.watch(keys.meta_entry_github(existing.id), keys.meta_entry_edited(existing.id),
                       *([keys.meta_entry_fixes(existing.id)] if pr_loop else []))
            state = pipe.hgetall(keys.meta_entry_github(existing.id))
            seen = state.get("prUpdatedAt")
            if seen and updated_at is not None and updated_at < parse_iso(seen):
                results[user_id] = "stale"
                continue
            edited = set(pipe.smembers(keys.meta_entry_edited(existing.id)))
            fixes_before[existing.id] = github_loop.fixes_get(existing.id, pipe) if pr_loop else []
            if isinstance(fields, github_pr.Skip):
                if fields.reason == "not_merged" or edited:
                    results[user_id] = "unchanged"
                else:
                    plans.append(("delete", existing, fields))
                    results[user_id] = "deleted_" + fields.reason
                continue
            changed = False
            for name in GITHUB_FIELDS:
                if name in edited:
                    continue
                if getattr(existing, name) != fields[name]:
                    setattr(existing, name, fields[name])
                    changed = True
            existing.validate()
            plans.append(("update" if changed else "touch", existing, fields))
            results[user_id] = "updated" if changed else "unchanged"
        pipe.multi()
        fetch = []
        for action, entry, fields in plans:
            if action == "delete":
                entry_purge(entry, pipe=pipe)
                continue
            if action in ("create", "update"):
                entry.save(pipe)
            _queue_sidecar(pipe, entry.id, fields, updated_at)
            if pr_loop and entry.userId in pr_loop:
                fixes = github_loop.loop_queue(pipe, entry, *pr_loop[entry.userId], fixes_before.get(entry.id, ()))
                if any(fix["state"] == "pending" for fix in fixes):
                    fetch.append(entry.id)
        if marker:
            pipe.set(marker, "1", ex=DELIVERY_MARKER_TTL)
        return {"duplicate": False, "results": results, "fetch": fetch}

    return kv.transaction(apply, *watched)


def late_create_allowed(*, pr, connected_at_by_user, now=None):
    """The users for whom an ``edited``/``labeled``/``unlabeled`` event may create a missing draft:
    the PR was merged after they connected the repository and less than an hour ago (an
    out-of-order delivery overtaking the ``closed`` one), so a relabelled old PR never resurrects
    a draft the user discarded."""
    merged_at = pr.get("merged_at") if isinstance(pr, dict) else None
    if not merged_at:
        return set()
    try:
        merged = parse_iso(merged_at)
    except (TypeError, ValueError):
        return set()
    now = now or utc_now()
    if now - merged > LATE_CREATE_WINDOW:
        return set()
    return {user_id for user_id, connected in connected_at_by_user.items()
            if connected is None or parse_iso(connected) <= merged}
