"""Celery tasks of the GitHub sync: thin wrappers around github_sync.services."""

from datetime import date

from celery import shared_task

from github_sync import services


@shared_task(name="github_sync.inbox_drain")
def inbox_drain_task(limit=500):
    """Process deliveries kept in the SQL inbox while Redis was unreachable (beat, every 30 s)."""
    return services.inbox_drain(limit=limit)


@shared_task(name="github_sync.backfill")
def backfill_task(repo_name, since=None):
    """Drafts from a repository's already-merged PRs; progress in ``idx:backfill:{repoName}``."""
    return services.entries_backfill(repo_name=repo_name, since=date.fromisoformat(since) if since else None)
