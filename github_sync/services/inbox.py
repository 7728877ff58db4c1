"""The SQL inbox: verified deliveries kept while Redis is unreachable, processed later in order.

``inbox_store`` keeps one (``WebhookDelivery``, state pending); ``inbox_drain`` processes the
pending ones oldest first (the beat runs it every 30 seconds); ``inbox_prune`` deletes rows past
their retention. Limits: ``GITHUB_INBOX_MAX_ROWS``/``GITHUB_INBOX_MAX_BYTES`` (docs/webhooks.md).
"""

import logging
from datetime import timedelta

import redis
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from changelog_site.domain import Outcome, StorageUnavailable, ValidationFailed
from changelog_site.kv import keys, locks
from entries import github_pr
from github_sync.models import WebhookDelivery
from github_sync.services import dispatch
from github_sync.services.payloads import parse_payload
from github_sync.services.queue import task_enqueue
from github_sync.services.signatures import OK, signature_verdict

log = logging.getLogger(__name__)

REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)
RETRY_AFTER_SECONDS = 30
INBOX_KEEP_PROCESSED = timedelta(days=7)
DRAIN_LOCK_SECONDS = 300


def inbox_waiting():
    """True when older deliveries wait in the inbox (a new one must queue behind them).

    Asked of every delivery, so in plain SQL on the ``state`` index: the ORM spent about ten
    times the query's own time building it."""
    table = connection.ops.quote_name(WebhookDelivery._meta.db_table)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE state = %s LIMIT 1", [WebhookDelivery.PENDING])
            return cursor.fetchone() is not None
    except DatabaseError:
        return False


def _inbox_full(body_size):
    """True when the pending inbox already holds ``GITHUB_INBOX_MAX_ROWS`` deliveries, or this
    one would take it past ``GITHUB_INBOX_MAX_BYTES``. Concurrent stores may overshoot by the
    few racing at the cap: it bounds the database's growth, it is not an exact quota."""
    pending = WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).aggregate(
        rows=Count("id"), size=Sum("body_size"))
    return pending["rows"] >= settings.GITHUB_INBOX_MAX_ROWS or \
        (pending["size"] or 0) + body_size > settings.GITHUB_INBOX_MAX_BYTES


def inbox_store(**fields):
    """Keep a verified delivery in the SQL inbox: ``Outcome("queued")``. ``StorageUnavailable``
    (``inbox_full``, or SQL down too) so GitHub's delivery fails visibly and can be redelivered."""
    body_size = len(fields["body"])
    try:
        if _inbox_full(body_size):
            log.error("the webhook inbox is full: delivery %s refused", fields.get("delivery_id"))
            raise StorageUnavailable("Too many deliveries are waiting to be processed; try again later.",
                                     code="inbox_full", retry_after=RETRY_AFTER_SECONDS)
        with transaction.atomic():
            WebhookDelivery.objects.create(body_size=body_size, **fields)
    except IntegrityError:
        return Outcome("queued", {"duplicate": True})
    except DatabaseError as error:
        log.exception("neither Redis nor the SQL database can take delivery %s", fields.get("delivery_id"))
        raise StorageUnavailable(retry_after=RETRY_AFTER_SECONDS) from error
    return Outcome("queued")


def drain_soon():
    """Ask a worker to drain the inbox now (the beat schedule drains it anyway)."""
    try:
        task_enqueue("inbox_drain_task")
    except Exception:
        log.warning("could not enqueue the inbox drain", exc_info=True)


def inbox_prune(*, now=None):
    """Delete processed rows after a week, failed and rejected ones after
    ``GITHUB_INBOX_RETENTION_DAYS`` (kept that long for an operator to look into). Returns counts."""
    now = now or timezone.now()
    done = WebhookDelivery.objects.exclude(state=WebhookDelivery.PENDING)
    processed, _ = done.filter(state=WebhookDelivery.PROCESSED, processed_at__lt=now - INBOX_KEEP_PROCESSED).delete()
    kept_until = now - timedelta(days=settings.GITHUB_INBOX_RETENTION_DAYS)
    failed, _ = done.filter(state__in=(WebhookDelivery.FAILED, WebhookDelivery.REJECTED)).filter(
        Q(processed_at__lt=kept_until) | Q(processed_at__isnull=True, received_at__lt=kept_until)).delete()
    return {"processed": processed, "failedOrRejected": failed}


class _HeaderView(dict):
    def get(self, name, default=None):
        return super().get(name.lower(), default)


def _stored_headers(row):
    """The headers ``signature_verdict`` reads, as the inbox row kept them."""
    return _HeaderView({"x-hub-signature-256": row.signature, "content-type": row.content_type,
                        "x-github-hook-installation-target-type": "repository" if row.hook_target_id else "",
                        "x-github-hook-installation-target-id": row.hook_target_id})


def inbox_drain(*, limit=500):
    """Process pending inbox deliveries in arrival order; stop at the first Redis failure.

    Returns counts. One drainer at a time: the ``lock:github-inbox-drain`` lock, renewed before
    each delivery (``DRAIN_LOCK_SECONDS`` outlasts one); a drainer that lost it stops.
    """
    try:
        lock = locks.acquire(keys.lock("github-inbox-drain"), timeout=DRAIN_LOCK_SECONDS)
    except REDIS_DOWN:
        return {"redis": "unreachable"}
    if lock is None:
        return {"busy": True}
    counts = {"processed": 0, "failed": 0, "rejected": 0, "left": 0}
    try:
        for row in WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).order_by("id")[:limit]:
            if not locks.keep(lock):
                break
            body = bytes(row.body)
            row.attempts += 1
            try:
                if not row.verified and signature_verdict(_stored_headers(row), body) != OK:
                    _finish(row, WebhookDelivery.REJECTED, "signature does not match")
                    counts["rejected"] += 1
                    continue
                dispatch.delivery_process(event=row.event, delivery_id=row.delivery_id,
                                          payload=parse_payload(body, row.content_type))
            except REDIS_DOWN as error:
                row.last_error = f"redis: {error}"
                row.save(update_fields=["attempts", "last_error"])
                break
            except github_pr.PayloadError as error:
                _finish(row, WebhookDelivery.FAILED, str(error))
                counts["failed"] += 1
                continue
            except ValidationFailed as error:
                _finish(row, WebhookDelivery.FAILED, error.detail)
                counts["failed"] += 1
                continue
            _finish(row, WebhookDelivery.PROCESSED, "")
            counts["processed"] += 1
        counts["left"] = WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).count()
    finally:
        locks.release(lock)
    return counts


def _finish(row, state, error):
    row.state, row.last_error, row.processed_at = state, error, timezone.now()
    row.save(update_fields=["state", "last_error", "processed_at", "attempts"])
