"""Email subscribers of a public changelog, as readers meet them: subscribe (double opt-in), confirm,
change preferences, unsubscribe (docs/subscribers.md).

The record is the data document's ``subscriber:{repoId}:{email}``; ``confirmed`` is the double
opt-in. Links in emails are Django-signed, purpose-bound tokens:

* the confirm link (salt ``CONFIRM_SALT``) carries the repository, the address, the record's
  ``confirmToken`` and the preferences asked for, and expires after ``SUBSCRIBER_CONFIRM_MAX_AGE``.
  Confirming rotates ``confirmToken``, so a link works once; a record another implementation wrote
  keeps its own token until then;
* the manage link (salt ``MANAGE_SALT``: unsubscribe, preferences) carries the repository and the
  address and never expires, as RFC 8058 one-click links must keep working.

Subscribing again re-sends the confirmation and never duplicates (the key is the address); a
confirmed subscriber's record is left alone until the new link is used (it carries the new
preferences). What the caller is told never depends on whether the address was subscribed.
"""

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.urls import reverse

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from changelog_site.ratelimit import RateLimited, rate_limit_hit
from engagement.models import Subscriber
from engagement.services import NotFound
from repos.models import Repo

log = logging.getLogger(__name__)

CONFIRM_SALT = "shiplog.subscriber.confirm"
MANAGE_SALT = "shiplog.subscriber.manage"
PREFERENCE_NAMES = ("digest", "majorReleases", "allUpdates")
DEFAULT_PREFERENCES = {"digest": True, "majorReleases": True, "allUpdates": False}
TRUE_WORDS = ("on", "true", "1", "yes")
EMAIL_MAX = 254


class LinkProblem(Exception):
    """A confirm or manage link that cannot be used: ``kind`` is ``invalid`` (tampered or not
    ours), ``expired`` or ``used``; ``repo_id``/``email`` are known when the signature was good."""

    def __init__(self, kind, repo_id=None, email=None):
        super().__init__(kind)
        self.kind, self.repo_id, self.email = kind, repo_id, email


# --- input ------------------------------------------------------------------------------------------

def email_normalize(raw):
    """The address trimmed, its domain lowercased; ``ValidationError`` unless it is a valid address
    that can be part of a key (no ``:``, no quotes, no spaces)."""
    if not isinstance(raw, str):
        raise ValidationError({"email": "must be a string"})
    local, at, domain = raw.strip().rpartition("@")
    email = f"{local}@{domain.lower()}"
    problem = not at or not local or len(email) > EMAIL_MAX or any(c in email for c in ':"\\') \
        or any(c.isspace() for c in email)
    if not problem:
        try:
            validate_email(email)
        except DjangoValidationError:
            problem = True
    if problem:
        raise ValidationError({"email": "is not a valid email address"})
    return email


def preferences_parse(data, *, from_form):
    """``{"digest", "majorReleases", "allUpdates"}`` from a form (an unticked box is absent: false;
    a form showing the boxes says so with a ``preferences`` field; no box at all: the defaults) or
    JSON (booleans; an absent one takes its default)."""
    present = [name for name in PREFERENCE_NAMES if name in data]
    if from_form:
        preferences = {name: str(data.get(name, "")).strip().lower() in TRUE_WORDS for name in PREFERENCE_NAMES} \
            if present or data.get("preferences") else dict(DEFAULT_PREFERENCES)
    else:
        preferences = dict(DEFAULT_PREFERENCES)
        for name in present:
            if not isinstance(data[name], bool):
                raise ValidationError({name: "must be true or false"})
            preferences[name] = data[name]
    if not any(preferences.values()):
        raise ValidationError({"preferences": "choose at least one kind of update"})
    return preferences


def preference_bits(preferences):
    return "".join("1" if preferences.get(name) else "0" for name in PREFERENCE_NAMES)


def _preferences_from_bits(bits):
    return {name: bit == "1" for name, bit in zip(PREFERENCE_NAMES, bits)}


def subscriber_preferences(subscriber):
    """A record's preferences with the defaults filled in (another implementation may omit some)."""
    stored = subscriber.preferences if isinstance(subscriber.preferences, dict) else {}
    return {name: stored[name] if isinstance(stored.get(name), bool) else DEFAULT_PREFERENCES[name]
            for name in PREFERENCE_NAMES}


def is_confirmed(subscriber):
    return subscriber.confirmed is True


# --- links -----------------------------------------------------------------------------------------

def confirm_url(subscriber, preferences):
    token = signing.dumps({"r": subscriber.repoId, "e": subscriber.email, "t": subscriber.confirmToken,
                           "p": preference_bits(preferences)}, salt=CONFIRM_SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("subscription-confirm", kwargs={"token": token})


def manage_token(repo_id, email):
    return signing.dumps({"r": repo_id, "e": email}, salt=MANAGE_SALT, compress=True)


def unsubscribe_url(repo_id, email):
    return settings.PUBLIC_BASE_URL + reverse("subscription-unsubscribe",
                                              kwargs={"token": manage_token(repo_id, email)})


def preferences_url(repo_id, email):
    return settings.PUBLIC_BASE_URL + reverse("subscription-preferences",
                                              kwargs={"token": manage_token(repo_id, email)})


def _payload_fields(payload, *names):
    if not isinstance(payload, dict) or not all(isinstance(payload.get(name), str) for name in names):
        raise LinkProblem("invalid")
    return [payload[name] for name in names]


def _confirm_payload(token):
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.SUBSCRIBER_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        repo_id, email = _payload_fields(signing.loads(token, salt=CONFIRM_SALT), "r", "e")
        raise LinkProblem("expired", repo_id, email) from None
    except signing.BadSignature:
        raise LinkProblem("invalid") from None
    repo_id, email, secret, bits = _payload_fields(payload, "r", "e", "t", "p")
    if len(bits) != len(PREFERENCE_NAMES) or set(bits) - {"0", "1"}:
        raise LinkProblem("invalid")
    return repo_id, email, secret, _preferences_from_bits(bits)


def manage_check(token):
    """``(repo_id, email)`` of a manage link, or ``LinkProblem("invalid")``."""
    try:
        payload = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        raise LinkProblem("invalid") from None
    return tuple(_payload_fields(payload, "r", "e"))


def _load(pipe, repo_id, email):
    raw = pipe.get(keys.subscriber(repo_id, email))
    return None if raw is None else Subscriber.loads(raw)


def _token_matches(subscriber, secret):
    return bool(subscriber and subscriber.confirmToken) and hmac.compare_digest(str(subscriber.confirmToken), secret)


def confirm_check(token):
    """What a confirm link would confirm: ``(subscriber, preferences)``; ``LinkProblem`` otherwise."""
    repo_id, email, secret, preferences = _confirm_payload(token)
    subscriber = Subscriber.get(repo_id, email)
    if not _token_matches(subscriber, secret):
        raise LinkProblem("used", repo_id, email)
    return subscriber, preferences


# --- subscribe, confirm, preferences, unsubscribe ------------------------------------------------------

def changelog_require(repo_id):
    """``NotFound`` unless somebody connected ``repo_id`` (it has a public changelog)."""
    if not keys.REPO_NAME.match(repo_id or "") or not Repo.user_ids_for(repo_id):
        raise NotFound()


def _address_subject(repo_id, email):
    return hashlib.sha256(f"{repo_id}\x1f{email}".encode()).hexdigest()[:32]


def _limit(name, subject):
    limit, window = settings.RATE_LIMITS[name]
    rate_limit_hit(name=name, subject=subject, limit=limit, window_seconds=window)


def address_limit_hit(repo_id, email):
    """Count one confirmation mail to ``email``; ``RateLimited`` past ``subscribe-address``."""
    _limit("subscribe-address", _address_subject(repo_id, email))


def subscriber_pending_write(*, repo_id, email, preferences):
    """Create the record unconfirmed with a new ``confirmToken`` (or take the new preferences on a
    pending one, keeping its token so earlier links still work); a confirmed record is left as it is.
    Atomic (WATCH on the key). Returns the record."""
    key = keys.subscriber(repo_id, email)

    def write(pipe):
        subscriber = _load(pipe, repo_id, email)
        if subscriber is not None and is_confirmed(subscriber):
            return subscriber
        if subscriber is None:
            subscriber = Subscriber(email=email, repoId=repo_id, confirmed=False,
                                    confirmToken=secrets.token_urlsafe(24), preferences=preferences)
        else:
            subscriber.confirmed = False
            subscriber.preferences = preferences
            subscriber.confirmToken = subscriber.confirmToken or secrets.token_urlsafe(24)
        pipe.multi()
        subscriber.save(pipe=pipe)
        return subscriber

    return kv.transaction(write, key)


def subscriber_subscribe(*, repo_id, email, preferences, ip_hash=None):
    """A reader asks for updates: rate limits (``subscribe-ip`` raises ``RateLimited``; past
    ``subscribe-address`` nothing is written or sent, silently), the pending record, then the
    confirmation email (queued). Returns the normalised address."""
    changelog_require(repo_id)
    if ip_hash is not None:
        _limit("subscribe-ip", ip_hash)
    email = email_normalize(email)
    try:
        address_limit_hit(repo_id, email)
    except RateLimited:
        log.info("confirmation for a %s subscriber not re-sent: per-address limit", repo_id)
        return email
    subscriber_pending_write(repo_id=repo_id, email=email, preferences=preferences)
    from engagement.tasks import confirmation_send_task

    enqueue(confirmation_send_task, repo_id, [[email, preference_bits(preferences)]])
    return email


def enqueue(task, *args):
    """Queue ``task``; with the broker down, run it here instead (the reader is waiting for the mail)."""
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001  the broker's errors vary by transport
        log.exception("could not queue %s; running it in the request", task.name)
        task.apply(args=args)


def confirmation_items(repo_id, items):
    """``(subscriber, preferences)`` for ``[email, bits]`` items whose record still exists."""
    found = []
    for email, bits in items:
        subscriber = Subscriber.get(repo_id, email)
        if subscriber is not None and subscriber.confirmToken:
            found.append((subscriber, _preferences_from_bits(bits)))
    return found


def subscriber_confirm(*, token):
    """Confirm (POST only: link scanners GET): the record becomes ``confirmed`` with the link's
    preferences and a new ``confirmToken``. ``LinkProblem`` for an invalid, expired or used link."""
    repo_id, email, secret, preferences = _confirm_payload(token)

    def write(pipe):
        subscriber = _load(pipe, repo_id, email)
        if not _token_matches(subscriber, secret):
            raise LinkProblem("used", repo_id, email)
        subscriber.confirmed = True
        subscriber.preferences = preferences
        subscriber.confirmToken = secrets.token_urlsafe(24)
        pipe.multi()
        subscriber.save(pipe=pipe)
        pipe.hincrby(keys.stat_subscriber_mail(repo_id), "confirmations", 1)
        return subscriber

    subscriber = kv.transaction(write, keys.subscriber(repo_id, email))
    _mailchimp_queue(repo_id, email, subscribed=True)
    return subscriber


def subscriber_preferences_update(*, token, preferences):
    """Change what a subscriber gets, from a manage link. Returns the record (None if it is gone)."""
    repo_id, email = manage_check(token)

    def write(pipe):
        subscriber = _load(pipe, repo_id, email)
        if subscriber is None:
            return None
        subscriber.preferences = preferences
        pipe.multi()
        subscriber.save(pipe=pipe)
        return subscriber

    return kv.transaction(write, keys.subscriber(repo_id, email))


def subscriber_delete(*, repo_id, email):
    """Delete the record (the document's "DELETE on unsubscribe"), its index entry and our state
    for it, in one transaction. True when there was a record."""
    state_key = keys.meta_subscriber(repo_id, email)

    def write(pipe):
        subscriber = _load(pipe, repo_id, email)
        pipe.multi()
        if subscriber is not None:
            subscriber.delete(pipe=pipe)
        pipe.srem(keys.idx_repo_subscribers(repo_id), email)
        pipe.delete(state_key)
        return subscriber is not None

    removed = kv.transaction(write, keys.subscriber(repo_id, email))
    if removed:
        _mailchimp_queue(repo_id, email, subscribed=False)
    return removed


def subscriber_unsubscribe(*, token):
    """Unsubscribe at once from a manage link (RFC 8058 one-click POST). Idempotent: ``(repo_id, email)``."""
    repo_id, email = manage_check(token)
    subscriber_delete(repo_id=repo_id, email=email)
    return repo_id, email


def subscriber_by_manage_token(token):
    repo_id, email = manage_check(token)
    return repo_id, email, Subscriber.get(repo_id, email)


def _mailchimp_queue(repo_id, email, *, subscribed):
    from engagement import mailchimp
    from engagement.tasks import mailchimp_member_task

    if not mailchimp.audience_for(repo_id):
        return
    try:
        mailchimp_member_task.delay(repo_id, email, subscribed)
    except Exception:  # noqa: BLE001  never fail a reader's request over the audience sync
        log.exception("could not queue the Mailchimp sync of a %s subscriber", repo_id)
