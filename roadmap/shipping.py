"""Auto-ship: a merged pull request that closes a roadmap issue completes the item and links it to
the PR's changelog entry; when that entry is published, the item's confirmed watchers hear once.

* ``ship_from_pull_request`` is the PR ingest's hook (github_sync): ``Fixes #N`` / ``Closes #N`` /
  ``Resolves #N`` (``roadmap.closing``) in the title or body of a merged PR.
* ``entry_published`` is the publishing hook (entries.publishing): it finds the items linked to the
  entry through ``idx:roadmap-entry:{entryId}`` and queues their notification.
* ``shipped_notify`` (a Celery task) mails every confirmed watcher at most once: each address is
  added to ``lock:roadmap-notified:{roadmapId}`` before its mail goes out, so the task running
  twice, or the entry being published again, never mails anyone twice.
"""

import logging

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now
from entries.models import Entry
from roadmap import watchers
from roadmap.closing import closed_issue_numbers
from roadmap.models import RoadmapItem
from roadmap.services import with_live_votes

log = logging.getLogger(__name__)


def item_ship(*, user_id, repo_id, issue_id, entry_id=None):
    """Complete the user's item for an issue (and link ``entry_id``), in one WATCH/MULTI. The
    column is kept as a manual one until GitHub's state of the issue changes (docs/roadmap.md).
    Returns the item, or None when the user has no item for that issue."""
    key = keys.roadmap_item(user_id, repo_id, issue_id)

    def apply(pipe):
        raw = pipe.get(key)
        if raw is None:
            return None
        item = with_live_votes([RoadmapItem.loads(raw)], pipe)[0]
        meta_key = keys.meta_roadmap_item(item.id)
        pipe.watch(meta_key)
        derived = pipe.hget(meta_key, "derived") or ""
        pipe.multi()
        if item.status != "completed" or (entry_id and item.linkedEntryId != entry_id):
            if entry_id and item.linkedEntryId and item.linkedEntryId != entry_id:
                pipe.srem(keys.idx_roadmap_entry(item.linkedEntryId), item.id)
            item.status, item.updatedAt = "completed", iso(utc_now())
            item.linkedEntryId = entry_id or item.linkedEntryId
            item.save(pipe=pipe)
        pipe.hset(meta_key, mapping={"manual": "completed", "manualBase": derived})
        return item

    return kv.transaction(apply, key)


def ship_from_pull_request(*, repo_name, user_ids, pr):
    """The PR ingest's hook: for a merged PR, complete every roadmap item whose issue it closes, for
    each user who connected the repository, linked to that user's entry for the PR (if the PR got
    one). Idempotent. Returns ``{issueNumber: [userIds shipped]}``."""
    if not pr.get("merged_at") or not isinstance(pr.get("number"), int):
        return {}
    numbers = closed_issue_numbers(pr.get("title") or "", pr.get("body") or "", repo_name=repo_name)
    shipped = {}
    for number in numbers:
        for user_id in user_ids:
            entry = Entry.get(user_id, repo_name, pr["number"])
            item = item_ship(user_id=user_id, repo_id=repo_name, issue_id=number, entry_id=entry.id if entry else None)
            if item is None:
                continue
            shipped.setdefault(number, []).append(user_id)
            if entry is not None and entry.status == "published":
                watchers.notify_schedule(roadmap_id=item.id)
    if shipped:
        log.info("PR %s of %s shipped roadmap issues %s", pr["number"], repo_name, sorted(shipped))
    return shipped


def entry_published(*, entry):
    """On ``entries.signals.entry_published``: queue the shipped notification of every item linked
    to ``entry``. Never raises: the entry is published already, and a lost notification is logged."""
    try:
        for roadmap_id in sorted(kv.get_client().smembers(keys.idx_roadmap_entry(entry.id))):
            watchers.notify_schedule(roadmap_id=roadmap_id)
    except Exception:  # noqa: BLE001  the publish succeeded; this must not turn it into an error
        log.exception("could not queue the roadmap notifications of entry %s", entry.id)
