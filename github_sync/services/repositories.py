"""``repository`` deliveries: a repository renamed or transferred on GitHub moves every key that
carries its name; one deleted on GitHub is marked disconnected and its users are told."""

import json
import logging

from changelog_site.domain import Outcome
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now
from changelog_site.kv.registry import registry
from entries import github_pr
from github_sync.services.deliveries import delivery_claim, delivery_unclaim, once
from github_sync.services.payloads import connected, repository_of
from github_sync.services.queue import task_enqueue
from repos.models import Repo

log = logging.getLogger(__name__)

NOTICES_KEPT = 50


def repository_delivery(*, delivery_id, payload):
    """renamed/transferred queue the move (``repo_rename_task``: thousands of keys do not belong in
    the request), claimed first so a redelivery queues nothing; deleted marks it disconnected."""
    action = payload.get("action")
    if action not in ("renamed", "transferred", "deleted"):
        return Outcome("ignored", {"reason": "unhandled_action"})
    repository = repository_of(payload)
    if action == "deleted":
        name, _ = connected(repository)
        if name is None:
            return Outcome("ignored", {"reason": "not_connected"})
        marked = repo_mark_deleted(repo_name=name, delivery_id=delivery_id)
        if marked is None:
            return Outcome("duplicate")
        return Outcome("processed", {"disconnected": marked})
    old = Repo.name_for_github_id(repository["id"])
    if old is None:
        return Outcome("ignored", {"reason": "not_connected"})
    if not delivery_claim(delivery_id):
        return Outcome("duplicate")
    try:
        task_enqueue("repo_rename_task", repository["id"], repository["full_name"])
    except Exception:
        delivery_unclaim(delivery_id)
        raise
    return Outcome("queued", {"rename": {"from": old, "to": repository["full_name"]}})


# --- deleted --------------------------------------------------------------------------------------

def repo_mark_deleted(*, repo_name, delivery_id=None):
    """GitHub deleted the repository: mark it disconnected for each user and tell them. Returns
    how many users were told, None for a duplicate delivery."""
    now = iso(utc_now())
    notice = json.dumps({"kind": "repo_deleted", "repo": repo_name, "at": now,
                         "message": f"{repo_name} was deleted on GitHub; it is disconnected. "
                                    "Its entries stay until you remove the repository."})
    users = keys.idx_repo_users(repo_name)

    def mark(pipe):
        user_ids = sorted(pipe.smembers(users))
        pipe.multi()
        for user_id in user_ids:
            pipe.hset(keys.meta_repo_disconnected(user_id), repo_name,
                      json.dumps({"reason": "deleted_on_github", "at": now}))
            pipe.lpush(keys.meta_user_notices(user_id), notice)
            pipe.ltrim(keys.meta_user_notices(user_id), 0, NOTICES_KEPT - 1)
        return len(user_ids)

    return once(delivery_id, mark, users)


def repo_disconnected(*, user_id):
    """``{repoName: {"reason", "at"}}`` of a user's repositories GitHub no longer has (dashboard)."""
    raw = kv.get_client().hgetall(keys.meta_repo_disconnected(user_id))
    return {name: json.loads(value) for name, value in raw.items()}


def user_notices(*, user_id, limit=NOTICES_KEPT):
    return [json.loads(item) for item in kv.get_client().lrange(keys.meta_user_notices(user_id), 0, limit - 1)]


# --- renamed / transferred ------------------------------------------------------------------------

def _move_group(record_classes, old, new, user_ids):
    """Move the records of ``record_classes`` named by ``old`` to ``new`` in one transaction.

    It WATCHes every key it reads (``of_repo`` WATCHes the records themselves before reading
    them), so a write to one of them between the read and the EXEC (an entry edited while the
    repository is renamed) makes it start over with that write instead of losing it."""
    scopes = [(record_class, user_id) for record_class in record_classes
              for user_id in (user_ids if record_class.repo_scope == "user" else [None])]
    watched = [key for record_class, user_id in scopes for key in record_class.repo_watch_keys(old, user_id)]

    def move(pipe):
        records = [record for record_class, user_id in scopes for record in record_class.of_repo(pipe, old, user_id)]
        pipe.multi()
        for record in records:
            record.move(pipe, new)
        return len(records)

    return kv.transaction(move, *watched)


def repo_rename(*, github_repo_id, new_name):
    """Move every key that carries a repository's old ``owner/repo`` to ``new_name``.

    ``githubRepoId`` is the identity: the old name is what ``idx:github-repo:{id}`` says. It walks
    the registry of record classes: for each user, each class whose keys carry a userId and the
    repository (entries, widget, roadmap items, ...); then each class of keys the repository's
    users share (subscribers, branding, releases, ...); every group in its own transaction. The
    repo records, their mappings and indexes go last, together, so a crash half-way leaves the old
    name resolvable and a redelivery finishes the move.
    """
    if not keys.REPO_NAME.match(new_name or ""):
        raise github_pr.PayloadError("the new repository name must be owner/repo")
    old = Repo.name_for_github_id(github_repo_id)
    if not old or old == new_name:
        return {"renamed": False, "keys": 0}
    user_ids = Repo.user_ids_for(old)
    moved = 0
    for user_id in user_ids:
        for record_class in registry.repo_scoped("user"):
            if record_class is not Repo:
                moved += _move_group([record_class], old, new_name, [user_id])
    for record_class in registry.repo_scoped("repo"):
        moved += _move_group([record_class], old, new_name, user_ids)
    moved += _move_group([Repo], old, new_name, user_ids)
    log.info("repository %s renamed to %s: %d records moved", old, new_name, moved)
    return {"renamed": True, "keys": moved, "from": old}
