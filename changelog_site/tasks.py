"""Site-wide tasks."""

from celery import shared_task

from changelog_site import health


@shared_task(name="changelog_site.ping")
def ping():
    """Round-trips through the broker and the data store: proves a worker is alive."""
    return health.check()
