"""Celery tasks of the GitHub sync: thin wrappers around github_sync.services."""

from datetime import date

from celery import shared_task

from github_sync import services


@shared_task(name="github_sync.inbox_drain")
def inbox_drain_task(limit=500):
    """Process deliveries kept in the SQL inbox while Redis was unreachable (beat, every 30 s),
    then prune the rows past their retention."""
    counts = services.inbox_drain(limit=limit)
    return {**counts, "pruned": services.inbox_prune()}


@shared_task(name="github_sync.inbox_prune")
def inbox_prune_task():
    """Delete inbox rows past their retention (beat, hourly): processed, failed and rejected ones."""
    return services.inbox_prune()


@shared_task(name="github_sync.backfill")
def backfill_task(repo_name, since=None):
    """Drafts from a repository's already-merged PRs; progress in ``meta:backfill:{repoName}``."""
    return services.entries_backfill(repo_name=repo_name, since=date.fromisoformat(since) if since else None)


@shared_task(name="github_sync.repo_rename", acks_late=True, autoretry_for=(Exception,), max_retries=5,
             retry_backoff=True)
def repo_rename_task(github_repo_id, new_name):
    """Move every key of a renamed or transferred repository (can be thousands: not in the request).
    Each key group moves atomically and a retry finishes a move a crash interrupted."""
    return services.repo_rename(github_repo_id=github_repo_id, new_name=new_name)
