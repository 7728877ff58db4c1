"""Celery tasks of billing: thin wrappers around billing.services."""

from celery import shared_task

from billing import services


@shared_task(name="billing.on_hold_expire")
def on_hold_expire_task():
    """On-hold subscriptions whose paid period has ended move to free (beat, every 10 minutes)."""
    return services.on_hold_expire()
