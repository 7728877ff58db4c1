"""``POST /api/github/sync`` after the raw body is read: verify, parse, then process the delivery
at once or keep it in the SQL inbox while Redis is unreachable.

``delivery_receive`` returns the delivery's ``Outcome`` or raises a domain error; it never builds
an HTTP answer (``github_sync.api`` does). The signature is checked before anything is parsed,
and only verified deliveries ever reach the inbox.
"""

import logging

import redis
from django.core.cache import cache

from changelog_site.domain import (PayloadTooLarge, StorageUnavailable, Unauthenticated, UnsupportedMediaType,
                                   ValidationFailed)
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import utc_now
from entries import github_pr
from github_sync.services import dispatch, inbox
from github_sync.services.payloads import FORM_TYPE, JSON_TYPES, delivery_id_of, media_type, parse_payload
from github_sync.services.signatures import BAD, UNAVAILABLE, signature_verdict

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


def _verified(headers, body):
    """Raise unless GitHub signed ``body`` (see ``signatures.signature_verdict``)."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge("GitHub webhook payloads are at most 25 MB.")
    verdict = signature_verdict(headers, body)
    if verdict == BAD:
        raise Unauthenticated("X-Hub-Signature-256 is missing or does not match.", code="invalid_signature")
    if verdict == UNAVAILABLE:
        raise StorageUnavailable(retry_after=inbox.RETRY_AFTER_SECONDS)


def _parsed(headers, body, content_type):
    """``(event, payload)``; ``ValidationFailed`` or ``UnsupportedMediaType`` for what cannot be used."""
    event = (headers.get("X-GitHub-Event") or "").strip()
    if not event:
        raise ValidationFailed("The X-GitHub-Event header is missing.", code="missing_event")
    if media_type(content_type) not in JSON_TYPES + (FORM_TYPE,):
        raise UnsupportedMediaType("Send the webhook as application/json.")
    try:
        return event, parse_payload(body, content_type)
    except github_pr.PayloadError as error:
        raise ValidationFailed(str(error), code="invalid_payload") from error


def delivery_receive(*, headers, body, content_type):
    """Everything ``POST /api/github/sync`` does with a delivery: its ``Outcome``, or a domain error
    (too large, bad signature, nothing to parse, nowhere to keep it)."""
    _verified(headers, body)
    event, payload = _parsed(headers, body, content_type)
    delivery_id = delivery_id_of(headers, body)
    kept = dict(delivery_id=delivery_id, event=event, content_type=media_type(content_type), body=body,
                signature=(headers.get("X-Hub-Signature-256") or "")[:100],
                hook_target_id=(headers.get("X-GitHub-Hook-Installation-Target-ID") or "")[:32])
    if inbox.inbox_waiting():  # keep GitHub's order: older deliveries are still in the inbox
        try:
            return inbox.inbox_store(**kept)
        finally:
            if _redis_up():  # queued, or refused because the inbox is full: either way, drain it
                inbox.drain_soon()
    try:
        outcome = dispatch.delivery_process(event=event, delivery_id=delivery_id, payload=payload)
    except REDIS_DOWN:
        log.warning("Redis unreachable: delivery %s (%s) goes to the inbox", delivery_id, event)
        return inbox.inbox_store(**kept)
    _count_received()
    return outcome


def _redis_up():
    try:
        return bool(kv.get_client().ping())
    except REDIS_DOWN:
        return False


def _count_received():
    """One more delivery processed today, for the admin's totals (the inbox counts its own rows).
    Counted in Django's cache, not the data: a delivery that changes nothing writes nothing there."""
    day_key = keys.cache_webhooks_day(utc_now().date().isoformat())
    try:  # one round trip: create the day's counter with its TTL if new, count
        pipe = cache.client.get_client(write=True).pipeline(transaction=False)
        pipe.set(cache.make_key(day_key), 0, nx=True, ex=keys.WEBHOOK_DAY_SECONDS)
        pipe.incr(cache.make_key(day_key))
        pipe.execute()
    except REDIS_DOWN:
        log.warning("could not count delivery in %s", day_key)
