"""Accounts: signup with its ``user:{userId}`` record, the explicit link step for a login made
outside signup, location, the profile and personal API tokens. Export and deletion:
``accounts.lifecycle``."""

import logging

import redis
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import (LOCATIONS, SHOWN_PREFIX_LENGTH, Account, ApiToken, User, new_token, new_user_id,
                             token_digest)
from accounts.signals import account_profile_requested
from changelog_site.domain import NotFound, ValidationFailed
from changelog_site.kv import client as kv
from changelog_site.kv import keys

log = logging.getLogger(__name__)

INDIA_LANGUAGES = ("hi", "bn", "ta", "te", "mr", "gu", "kn", "ml", "pa", "or", "as", "ur")
COUNTRY_HEADERS = ("HTTP_CF_IPCOUNTRY", "HTTP_CLOUDFRONT_VIEWER_COUNTRY", "HTTP_X_COUNTRY_CODE",
                   "HTTP_X_VERCEL_IP_COUNTRY", "HTTP_X_APPENGINE_COUNTRY")


def location_default(request):
    """'in' when the request's country header says India, or its language is Indian; else 'intl'."""
    if request is None:
        return "intl"
    for header in COUNTRY_HEADERS:
        country = request.META.get(header, "").strip().upper()
        if country:
            return "in" if country == "IN" else "intl"
    languages = request.META.get("HTTP_ACCEPT_LANGUAGE", "").lower()
    for part in languages.split(","):
        tag = part.split(";")[0].strip()
        if tag.endswith("-in") or tag.split("-")[0] in INDIA_LANGUAGES:
            return "in"
    return "intl"


def _checked_location(location):
    if location not in LOCATIONS:
        raise ValidationFailed("Location must be 'in' or 'intl'.", errors={"location": "must be in or intl"})
    return location


def account_signup(*, create_django_user, email=None, location="intl"):
    """Create the Django account (``create_django_user()`` saves and returns it), its Account
    link and the ``user:{userId}`` record as one step.

    The SQL rows are written in a transaction and the Redis record last inside it: a Redis
    failure rolls the SQL back, and an SQL failure after the Redis write deletes the record.
    """
    location = _checked_location(location)
    written = []
    try:
        with transaction.atomic():
            django_user = create_django_user()
            account = Account.objects.create(user=django_user, shiplog_user_id=new_user_id())
            record = User(id=account.shiplog_user_id, email=(email or django_user.email or "").lower(),
                          plan="free", location=location)
            written.append(record)
            record.save()
    except Exception:
        for record in written:
            _delete_quietly(record)
        raise
    return django_user, record


def _delete_quietly(record):
    try:
        record.delete()
    except redis.RedisError:
        log.exception("Could not remove %s after a failed signup", record.key())


def account_create(*, django_user, location="intl"):
    """Give an existing Django user (made by ``createsuperuser`` or in the admin) its Shiplog
    account: the explicit link step of the "no Shiplog account yet" page and of
    ``manage.py api_token --create``. Returns the userId; a user already linked keeps its own."""
    linked = Account.objects.user_id_of(django_user)
    if linked:
        return linked
    try:
        _, record = account_signup(create_django_user=lambda: django_user, location=location)
    except IntegrityError:  # a concurrent request linked it first
        return Account.objects.user_id_of(django_user)
    return record.id


def account_location_set(*, user_id, location):
    location = _checked_location(location)

    def update(pipe):
        raw = pipe.get(keys.user(user_id))
        if raw is None:
            raise NotFound("This account has no user record.")
        record = User.loads(raw)
        record.location = location
        pipe.multi()
        record.save(pipe=pipe)
        return record

    return kv.transaction(update, keys.user(user_id))


def account_profile(*, user_id):
    """The user record with what the apps above add (``account_profile_requested``): the
    repositories and whether GitHub is connected (repos), this month's usage (billing)."""
    record = User.get(user_id)
    if record is None:
        raise NotFound("This account has no user record.")
    profile = record.to_dict()
    for _receiver, fields in account_profile_requested.send(sender=User, user_id=user_id):
        profile.update(fields)
    return profile


# --- personal API tokens -----------------------------------------------------------------

def api_token_create(*, django_user, name=""):
    """Returns ``(ApiToken, plaintext)``; the plaintext is shown once and never stored."""
    token = new_token()
    api_token = ApiToken.objects.create(user=django_user, name=(name or "").strip()[:100],
                                        prefix=token[:SHOWN_PREFIX_LENGTH], digest=token_digest(token))
    return api_token, token


def api_token_list(*, django_user):
    return list(ApiToken.objects.filter(user=django_user, revoked_at=None))


def api_token_revoke(*, django_user, token_id):
    updated = ApiToken.objects.filter(user=django_user, pk=token_id, revoked_at=None).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound("No such active token.")


def account_by_email(email):
    return get_user_model().objects.filter(email__iexact=email).first()
