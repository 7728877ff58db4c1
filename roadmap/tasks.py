"""Celery tasks of the roadmap: thin wrappers around ``roadmap.importer``, ``roadmap.watchers`` and
``roadmap.writeback`` (docs/roadmap.md). Mail tasks are idempotent (each address is marked before
its mail goes out), so a retried or duplicated task never mails twice."""

import logging

from celery import shared_task

from engagement.mail import SendFailed
from repos.github import GitHubError
from roadmap import importer, watchers, writeback

log = logging.getLogger(__name__)

MAX_RETRIES = 5


def backoff(retries):
    """Seconds before retry number ``retries + 1``: 30 s, 1, 2, 4, 8 minutes."""
    return 30 * 2 ** retries


@shared_task(name="roadmap.sync")
def sync_task(repo_name):
    """Import a repository's issues into its roadmap; progress in ``meta:roadmap-sync:{githubRepoId}``."""
    return importer.roadmap_import(repo_name=repo_name)


@shared_task(bind=True, name="roadmap.watch_confirmation", max_retries=MAX_RETRIES, acks_late=True)
def watch_confirmation_task(self, roadmap_id, email):
    """The double opt-in email of a voter who asked to hear when an item ships."""
    try:
        return watchers.confirmation_send(roadmap_id=roadmap_id, email=email)
    except SendFailed:
        if self.request.retries >= MAX_RETRIES:
            raise
        raise self.retry(countdown=backoff(self.request.retries))


@shared_task(bind=True, name="roadmap.shipped_notify", max_retries=MAX_RETRIES, acks_late=True)
def shipped_notify_task(self, roadmap_id):
    """Tell an item's confirmed watchers it shipped: each address at most once."""
    try:
        return watchers.shipped_notify(roadmap_id=roadmap_id)
    except SendFailed:
        if self.request.retries >= MAX_RETRIES:
            raise
        raise self.retry(countdown=backoff(self.request.retries))


@shared_task(bind=True, name="roadmap.writeback", max_retries=MAX_RETRIES)
def writeback_task(self, roadmap_id):
    """Show an item's vote count on its GitHub issue (the owner's opt-in write-back)."""
    try:
        return writeback.writeback_apply(roadmap_id=roadmap_id)
    except GitHubError as error:
        if error.kind not in ("rate_limited", "unavailable") or self.request.retries >= MAX_RETRIES:
            log.warning("roadmap write-back of %s gave up: %s", roadmap_id, error.kind)
            return f"failed: {error.kind}"
        raise self.retry(countdown=min(error.retry_after or backoff(self.request.retries), 3600))
