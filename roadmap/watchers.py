"""Voters who leave an email to hear when an item ships: double opt-in, then one email.

Built on the subscribers machinery (``engagement.subscriptions``, ``engagement.mail``): the same
address rules, the same per-IP and per-address limits on confirmation emails, the same email
look and batch sending. What differs is what the reader asked for: one email about one item,
not the changelog's digests, so the address goes to the item's own list,
``meta:roadmap-watchers:{roadmapId}`` (email -> ``{"requestedAt", "nonce", "confirmedAt"}``),
never to ``subscriber:``. Links are Django-signed and purpose-bound: the confirm link (salt
``CONFIRM_SALT``) carries the item, the address and a nonce that confirming rotates (a link
works once) and expires like the subscribers' one; the stop link (``STOP_SALT``) never expires.
"""

import json
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now
from changelog_site.ratelimit import RateLimited, rate_limit_hit
from engagement import mail
from engagement import services as engagement
from engagement import subscriptions
from engagement.subscriptions import LinkProblem
from entries.models import Entry
from roadmap.models import RoadmapItem
from roadmap.services import roadmap_url

log = logging.getLogger(__name__)

CONFIRM_SALT = "shiplog.roadmap.watch.confirm"
STOP_SALT = "shiplog.roadmap.watch.stop"


def _entry(watchers_key, email, pipe=None):
    raw = (pipe or kv.get_client()).hget(watchers_key, email)
    return json.loads(raw) if raw else None


def confirm_url(roadmap_id, email, nonce):
    token = signing.dumps({"i": roadmap_id, "e": email, "n": nonce}, salt=CONFIRM_SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("roadmap-watch-confirm", kwargs={"token": token})


def stop_url(roadmap_id, email):
    token = signing.dumps({"i": roadmap_id, "e": email}, salt=STOP_SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("roadmap-watch-stop", kwargs={"token": token})


def _fields(payload, *names):
    if not isinstance(payload, dict) or not all(isinstance(payload.get(name), str) for name in names):
        raise LinkProblem("invalid")
    return [payload[name] for name in names]


# --- asking, confirming, stopping --------------------------------------------------------------------

def watch_request(*, item, email, ip_hash=None):
    """A voter leaves ``email`` for ``item``: kept pending, and a confirmation email is queued. The
    per-IP limit raises ``RateLimited``; past the per-address limit nothing is sent, silently, and
    what the reader is told never depends on whether the address was already on the list."""
    if ip_hash is not None:
        limit, window = settings.RATE_LIMITS["subscribe-ip"]
        rate_limit_hit(name="subscribe-ip", subject=ip_hash, limit=limit, window_seconds=window)
    email = subscriptions.email_normalize(email)
    try:
        subscriptions.address_limit_hit(item.repoId, email)
    except RateLimited:
        return email
    key = keys.meta_roadmap_watchers(item.id)

    def write(pipe):
        current = _entry(key, email, pipe)
        if current and current.get("confirmedAt"):
            return None
        nonce = (current or {}).get("nonce") or secrets.token_urlsafe(12)
        pipe.multi()
        pipe.hset(key, email, json.dumps({"requestedAt": iso(utc_now()), "nonce": nonce}))
        return nonce

    if kv.transaction(write, key) is not None:
        from roadmap.tasks import watch_confirmation_task

        subscriptions.enqueue(watch_confirmation_task, item.id, email)
    return email


def confirmation_send(*, roadmap_id, email):
    """Send the confirm link to a pending address (the task's body). False when nothing is pending."""
    item = RoadmapItem.get_by_id(roadmap_id)
    pending = _entry(keys.meta_roadmap_watchers(roadmap_id), email) if item else None
    if not pending or pending.get("confirmedAt"):
        return False
    branding = engagement.branding_get(repo_id=item.repoId)
    message = _message(to=email, subject=f"Confirm: hear when “{item.title}” ships", template="watch_confirm",
                       context={"item": item, "branding": branding,
                                "confirm_url": confirm_url(item.id, email, pending["nonce"]), **_links(item)})
    results = mail.send_batch([message])
    if not results[0].ok and not results[0].permanent:
        raise mail.SendFailed(results[0].error)
    return results[0].ok


def confirm_check(token):
    """``(item, email, nonce)`` a confirm link names; ``LinkProblem`` (invalid, expired, used)."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.SUBSCRIBER_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkProblem("expired") from None
    except signing.BadSignature:
        raise LinkProblem("invalid") from None
    roadmap_id, email, nonce = _fields(payload, "i", "e", "n")
    item = RoadmapItem.get_by_id(roadmap_id)
    current = _entry(keys.meta_roadmap_watchers(roadmap_id), email) if item else None
    if item is None or not current or current.get("nonce") != nonce:
        raise LinkProblem("used", item.repoId if item else None, email)
    return item, email, nonce


def watch_confirm(*, token):
    """Confirm (POST only: link scanners GET). Rotates the nonce, so the link works once."""
    item, email, nonce = confirm_check(token)
    key = keys.meta_roadmap_watchers(item.id)

    def write(pipe):
        current = _entry(key, email, pipe)
        if not current or current.get("nonce") != nonce:
            raise LinkProblem("used", item.repoId, email)
        pipe.multi()
        pipe.hset(key, email, json.dumps({**current, "nonce": secrets.token_urlsafe(12),
                                          "confirmedAt": iso(utc_now())}))

    kv.transaction(write, key)
    return item, email


def _stop_payload(token):
    try:
        return _fields(signing.loads(token, salt=STOP_SALT), "i", "e")
    except signing.BadSignature:
        raise LinkProblem("invalid") from None


def stop_check(token):
    """``(item or None when it is gone, email)`` a stop link names; ``LinkProblem`` for a bad link."""
    roadmap_id, email = _stop_payload(token)
    return RoadmapItem.get_by_id(roadmap_id), email


def watch_stop(*, token):
    """Take the address off the item's list at once (one-click). Idempotent: ``(item or None, email)``."""
    roadmap_id, email = _stop_payload(token)
    kv.get_client().hdel(keys.meta_roadmap_watchers(roadmap_id), email)
    return RoadmapItem.get_by_id(roadmap_id), email


def confirmed_watchers(roadmap_id):
    values = kv.get_client().hgetall(keys.meta_roadmap_watchers(roadmap_id))
    return sorted(email for email, raw in values.items() if json.loads(raw).get("confirmedAt"))


# --- the shipped notification -------------------------------------------------------------------------

def notify_schedule(*, roadmap_id):
    from roadmap.tasks import shipped_notify_task

    subscriptions.enqueue(shipped_notify_task, roadmap_id)


def _links(item):
    return {"roadmap_url": roadmap_url(item.repoId, absolute=True),
            "changelog_url": engagement.changelog_url(item.repoId, absolute=True)}


def _message(*, to, subject, template, context, headers=None):
    context = {**context, "public_base_url": settings.PUBLIC_BASE_URL}
    message = EmailMultiAlternatives(" ".join(subject.split()), render_to_string(f"roadmap/emails/{template}.txt",
                                                                                 context),
                                     settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    message.attach_alternative(render_to_string(f"roadmap/emails/{template}.html", context), "text/html")
    return message


def shipped_notify(*, roadmap_id):
    """Tell the item's confirmed watchers that it shipped in its published entry, each at most once.
    Returns how many were mailed. A transient failure gives the address back and raises
    ``SendFailed`` (the task retries); a refused address is not retried."""
    item = RoadmapItem.get_by_id(roadmap_id)
    entry = Entry.get_by_id(item.linkedEntryId) if item and item.linkedEntryId else None
    if item is None or item.status != "completed" or entry is None or entry.status != "published":
        return 0
    notified = keys.lock_roadmap_notified(roadmap_id)
    pipe = kv.get_client().pipeline(transaction=False)
    emails = confirmed_watchers(roadmap_id)
    for email in emails:
        pipe.sadd(notified, email)
    claimed = [email for email, added in zip(emails, pipe.execute() if emails else []) if added]
    branding = engagement.branding_get(repo_id=item.repoId)
    context = {"item": item, "entry": entry, "branding": branding,
               "entry_url": engagement.entry_url(item.repoId, entry.prId, absolute=True), **_links(item)}
    messages = [_message(to=email, subject=f"Shipped: {item.title}", template="shipped",
                         context={**context, "stop_url": stop_url(item.id, email)},
                         headers={"List-Unsubscribe": f"<{stop_url(item.id, email)}>",
                                  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                  "Auto-Submitted": "auto-generated"})
                for email in claimed]
    results = mail.send_batch(messages)
    retry = [result.email for result in results if not result.ok and not result.permanent]
    if retry:
        kv.get_client().srem(notified, *retry)
        raise mail.SendFailed(f"{len(retry)} shipped notification(s) of {roadmap_id} will be retried")
    return sum(1 for result in results if result.ok)
