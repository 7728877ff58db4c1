"""Celery tasks of the GitHub sync: thin wrappers around the modules of github_sync.services."""

from datetime import date

from celery import shared_task

from github_sync.services import backfill, fixed_issues, inbox, repositories, shipped
from repos.github import GitHubError


@shared_task(name="github_sync.inbox_drain")
def inbox_drain_task(limit=500):
    """Process deliveries kept in the SQL inbox while Redis was unreachable (beat, every 30 s),
    then prune the rows past their retention."""
    counts = inbox.inbox_drain(limit=limit)
    return {**counts, "pruned": inbox.inbox_prune()}


@shared_task(name="github_sync.inbox_prune")
def inbox_prune_task():
    """Delete inbox rows past their retention (beat, hourly): processed, failed and rejected ones."""
    return inbox.inbox_prune()


@shared_task(name="github_sync.backfill")
def backfill_task(repo_name, since=None):
    """Drafts from a repository's already-merged PRs; progress in ``meta:backfill:{repoName}``."""
    return backfill.entries_backfill(repo_name=repo_name, since=date.fromisoformat(since) if since else None)


@shared_task(name="github_sync.repo_rename", acks_late=True, autoretry_for=(Exception,), max_retries=5,
             retry_backoff=True)
def repo_rename_task(github_repo_id, new_name):
    """Move every key of a renamed or transferred repository (can be thousands: not in the request).
    Each key group moves atomically and a retry finishes a move a crash interrupted."""
    return repositories.repo_rename(github_repo_id=github_repo_id, new_name=new_name)


LOOP_RETRIES = 6


def loop_backoff(retries):
    """Seconds before retry number ``retries + 1`` of the GitHub-loop tasks: 30 s, 1, 2, 4, 8, 16 minutes."""
    return 30 * 2 ** retries


@shared_task(bind=True, name="github_sync.fixed_issues_fetch", max_retries=LOOP_RETRIES, acks_late=True)
def fixed_issues_fetch_task(self, entry_id):
    """Fetch the titles of the issues an entry's PR fixes, once each (docs/github-loop.md). Eager
    (no worker) it does not retry in place: the titles stay pending for the next event."""
    try:
        return fixed_issues.fixed_issues_fetch(entry_id=entry_id)
    except GitHubError as error:
        if self.request.is_eager or self.request.retries >= LOOP_RETRIES:
            return {"pending": error.kind}
        raise self.retry(countdown=min(max(error.retry_after or 0, loop_backoff(self.request.retries)), 3600))


@shared_task(bind=True, name="github_sync.shipped_sync", max_retries=LOOP_RETRIES, acks_late=True)
def shipped_sync_task(self, entry_id):
    """"Shipped in" comments and labels on GitHub for an entry, as it is now (docs/github-loop.md);
    rate limits and an unavailable GitHub are retried with backoff, the last attempt records the failure."""
    final = self.request.is_eager or self.request.retries >= LOOP_RETRIES
    try:
        return shipped.shipped_sync(entry_id=entry_id, final=final)
    except shipped.RetryLater as later:
        raise self.retry(countdown=min(max(later.seconds, loop_backoff(self.request.retries)), 3600))
