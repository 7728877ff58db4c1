"""The admin's webhook inbox and sync settings, and GitHub's part of the repositories' admin (docs/admin.md)."""

import logging
from datetime import datetime, time, timezone

from django.contrib import admin
from django.core.cache import cache

from changelog_site import kvadmin
from changelog_site.domain import DomainError
from changelog_site.kv import keys
from changelog_site.kv.records import utc_now
from github_sync.backfill_status import backfill_status
from github_sync.models import SyncSettings, WebhookDelivery
from github_sync.services import backfill
from github_sync.tasks import backfill_task, inbox_drain_task
from repos.models import Repo

log = logging.getLogger(__name__)

DONE_WITH = (WebhookDelivery.FAILED, WebhookDelivery.REJECTED)


@kvadmin.row_action("Retry (process it again with the next inbox drain)")
def retry_delivery(modeladmin, request, row, options):
    if row.state not in DONE_WITH:
        raise kvadmin.ActionRefused(f"it is {row.state}; only failed or rejected deliveries can be retried.")
    row.state, row.last_error, row.processed_at = WebhookDelivery.PENDING, "", None
    row.save(update_fields=["state", "last_error", "processed_at"])
    try:
        inbox_drain_task.delay()
    except Exception:  # noqa: BLE001  the beat schedule drains the inbox every 30 s anyway
        pass
    return f"Queued delivery {row.delivery_id} ({row.event}) for processing again."


@kvadmin.row_action("Discard (delete the failed delivery)", permissions=("delete",), deletes=True)
def discard_delivery(modeladmin, request, row, options):
    if row.state not in DONE_WITH:
        raise kvadmin.ActionRefused(f"it is {row.state}; only failed or rejected deliveries can be discarded.")
    what = f"Discarded delivery {row.delivery_id} ({row.event}, {row.state}: {row.last_error or 'no error text'})."
    row.delete()
    return what


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "delivery_id", "state", "verified", "attempts", "received_at", "processed_at",
                    "last_error")
    list_filter = ("state", "event")
    search_fields = ("delivery_id",)
    exclude = ("body",)
    readonly_fields = ("delivery_id", "event", "content_type", "signature", "hook_target_id", "verified",
                       "body_size", "state", "attempts", "last_error", "received_at", "processed_at")
    actions = [retry_delivery, discard_delivery]


@admin.register(SyncSettings)
class SyncSettingsAdmin(admin.ModelAdmin):
    list_display = ("user_id", "github_repo_id", "skip_label", "skip_bots", "updated_at")
    search_fields = ("user_id",)


@kvadmin.row_action("Re-run the import of past PRs (backfill)")
def rerun_backfill(modeladmin, request, row, options):
    """What "Import past PRs" on the Repositories page does (github_sync/views.py)."""
    status = backfill_status(repo_name=row.name)
    if status["state"] == "running" or (status["state"] == "queued" and not status["stale"]):
        raise kvadmin.ActionRefused(f"past PRs of {row.name} are already being imported.")
    try:
        backfill.backfill_check(repo_name=row.name)
    except DomainError as error:
        backfill.backfill_failed(repo_name=row.name, code=error.code, detail=error.detail)
        raise
    backfill.backfill_queued(repo_name=row.name)
    try:
        backfill_task.delay(row.name)
    except (DomainError, backfill.BackfillError):  # eager Celery runs it here; its progress says why
        raise kvadmin.ActionRefused(f"the import of {row.name} failed: "
                                    f"{backfill_status(repo_name=row.name).get('message', '')}") from None
    except Exception:  # noqa: BLE001  the broker being unreachable must not become a 500
        log.exception("could not queue the backfill of %s", row.name)
        backfill.backfill_failed(repo_name=row.name, code="queue_unavailable",
                                    detail="the import could not be queued.")
        raise kvadmin.ActionRefused("the import could not be queued; try again shortly.") from None
    return f"Queued the import of past PRs of {row.name}."


kvadmin.add_actions(Repo, rerun_backfill)


@kvadmin.total("webhooks received today", permission="github_sync.view_webhookdelivery", order=40)
def webhooks_today():
    """Deliveries processed as they arrived (counted in Django's cache) and those the inbox took."""
    today = utc_now().date()
    counted = cache.get(keys.cache_webhooks_day(today.isoformat()))
    start = datetime.combine(today, time(0), tzinfo=timezone.utc)
    return int(counted or 0) + WebhookDelivery.objects.filter(received_at__gte=start).count()


@kvadmin.total("inbox deliveries waiting", permission="github_sync.view_webhookdelivery", order=50,
               link="github_sync.webhookdelivery?state__exact=pending")
def inbox_waiting():
    return WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).count()


@kvadmin.total("inbox deliveries failed", permission="github_sync.view_webhookdelivery", order=60,
               link="github_sync.webhookdelivery?state__exact=failed")
def inbox_failed():
    return WebhookDelivery.objects.filter(state=WebhookDelivery.FAILED).count()
