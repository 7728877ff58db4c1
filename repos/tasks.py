"""Celery tasks of repos: thin wrappers around repos.token_check."""

from celery import shared_task

from repos import token_check


@shared_task(name="repos.github_tokens_verify")
def github_tokens_verify_task():
    """Ask GitHub again about tokens saved while it could not be reached (beat, every 5 minutes)."""
    return token_check.github_tokens_verify_pending()
