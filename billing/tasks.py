"""Celery tasks of billing: thin wrappers around billing.subscriptions and billing.staff."""

from celery import shared_task

from billing import staff, subscriptions


@shared_task(name="billing.on_hold_expire")
def on_hold_expire_task():
    """On-hold subscriptions whose paid period has ended move to free (beat, every 10 minutes)."""
    return subscriptions.on_hold_expire()


@shared_task(name="billing.pro_grants_expire")
def pro_grants_expire_task():
    """Pro granted by staff until a date ends (beat, every 10 minutes; billing/staff.py)."""
    return staff.pro_grants_expire()
