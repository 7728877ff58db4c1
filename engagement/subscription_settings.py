"""A repository's subscriber settings (docs/subscribers.md): the weekly digest's weekday, hour and time
zone, the Slack and Discord incoming webhooks (stored encrypted), the Mailchimp audience, and what
happened last (digest sent, channel posts, audience sync) for the dashboard.

Kept in ``meta:repo-subscriptions:{repoId}``, shared by everyone who connected the repository (like
its branding): the changelog and its subscribers belong to the repository, not to one account.
"""

import json
import logging
from functools import lru_cache
from zoneinfo import available_timezones

from django.conf import settings

from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError, iso, utc_now
from engagement.services import NotFound
from repos.models import Repo

log = logging.getLogger(__name__)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_WEEKDAY, DEFAULT_HOUR, DEFAULT_TIMEZONE = 0, 9, "UTC"
CHANNELS = {"slack": "Slack", "discord": "Discord"}
WEBHOOK_URL_MAX = 500
AUDIENCE_ID_MAX = 64
ERROR_MAX = 300


@lru_cache(maxsize=1)
def timezones():
    return sorted(available_timezones())


def owner_require(*, user_id, repo_id):
    """``NotFound`` unless ``user_id`` connected ``repo_id``: another account's subscribers are a 404."""
    if not user_id or not keys.REPO_NAME.match(repo_id or "") or Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")


def _int_between(value, low, high, default):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _json(raw):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def repo_settings(repo_id):
    """The settings with their defaults; webhook URLs only as "configured" (never shown again)."""
    raw = kv.get_client().hgetall(keys.meta_repo_subscriptions(repo_id))
    timezone = raw.get("digestTimezone") if raw.get("digestTimezone") in timezones() else DEFAULT_TIMEZONE
    return {
        "digestWeekday": _int_between(raw.get("digestWeekday"), 0, 6, DEFAULT_WEEKDAY),
        "digestHour": _int_between(raw.get("digestHour"), 0, 23, DEFAULT_HOUR),
        "digestTimezone": timezone,
        "channels": {name: {"name": name, "label": label, "configured": bool(raw.get(f"{name}Webhook")),
                            "status": _json(raw.get(f"{name}Status"))} for name, label in CHANNELS.items()},
        "mailchimpAudienceId": raw.get("mailchimpAudienceId", ""),
        "mailchimpStatus": _json(raw.get("mailchimpStatus")),
        "lastDigestAt": raw.get("lastDigestAt"),
        "lastDigestPeriod": raw.get("lastDigestPeriod"),
    }


def webhook_validate(channel, url):
    """An incoming-webhook URL of ``channel``: one of ``CHANNEL_WEBHOOK_PREFIXES`` (no request ever
    goes anywhere else, whatever an owner types)."""
    url = (url or "").strip()
    prefixes = settings.CHANNEL_WEBHOOK_PREFIXES[channel]
    if len(url) > WEBHOOK_URL_MAX or any(c.isspace() for c in url) or not url.startswith(tuple(prefixes)):
        raise ValidationError({f"{channel}Webhook": f"must be a {CHANNELS[channel]} incoming-webhook URL "
                                                    f"starting with {' or '.join(prefixes)}"})
    return url


def repo_settings_update(*, user_id, repo_id, weekday, hour, timezone, webhooks=None, clear=(),
                         mailchimp_audience_id=None):
    """Save the digest schedule; set the webhooks given in ``webhooks`` (channel -> URL; blank keeps
    the stored one), remove the channels in ``clear``; set the Mailchimp audience when given.
    Everything is validated before anything is written, then written in one MULTI."""
    owner_require(user_id=user_id, repo_id=repo_id)
    errors = {}
    weekday_number = _int_between(weekday, 0, 6, None)
    hour_number = _int_between(hour, 0, 23, None)
    if weekday_number is None:
        errors["digestWeekday"] = "must be a weekday"
    if hour_number is None:
        errors["digestHour"] = "must be an hour from 0 to 23"
    if timezone not in timezones():
        errors["digestTimezone"] = "must be a time zone like Europe/Berlin"
    fields = {}
    for channel, url in (webhooks or {}).items():
        if channel in CHANNELS and (url or "").strip() and channel not in clear:
            try:
                fields[f"{channel}Webhook"] = crypto.encrypt(webhook_validate(channel, url))
            except ValidationError as error:
                errors.update(error.errors)
    audience = (mailchimp_audience_id or "").strip()
    if audience and (len(audience) > AUDIENCE_ID_MAX or not audience.isalnum()):
        errors["mailchimpAudienceId"] = "must be a Mailchimp audience id (letters and digits)"
    if errors:
        raise ValidationError(errors)
    fields.update(digestWeekday=weekday_number, digestHour=hour_number, digestTimezone=timezone)
    if mailchimp_audience_id is not None:
        fields["mailchimpAudienceId"] = audience
    key = keys.meta_repo_subscriptions(repo_id)
    with kv.atomic() as pipe:
        pipe.hset(key, mapping=fields)
        for channel in clear:
            if channel in CHANNELS:
                pipe.hdel(key, f"{channel}Webhook", f"{channel}Status")
    return repo_settings(repo_id)


def channel_url(repo_id, channel):
    """The plaintext webhook URL of ``channel``, or None (also when no configured key opens it)."""
    token = kv.get_client().hget(keys.meta_repo_subscriptions(repo_id), f"{channel}Webhook")
    if not token:
        return None
    try:
        return crypto.decrypt(token)
    except (crypto.InvalidToken, ValueError, TypeError):
        log.error("the %s webhook of %s cannot be decrypted with TOKEN_ENCRYPTION_KEYS", channel, repo_id)
        return None


def _status(ok, error="", **extra):
    return json.dumps({"ok": ok, "at": iso(utc_now()), "error": (error or "")[:ERROR_MAX], **extra})


def channel_status_set(repo_id, channel, *, ok, error=""):
    kv.get_client().hset(keys.meta_repo_subscriptions(repo_id), f"{channel}Status", _status(ok, error))


def mailchimp_status_set(repo_id, *, ok, error="", synced=0):
    kv.get_client().hset(keys.meta_repo_subscriptions(repo_id), "mailchimpStatus",
                         _status(ok, error, synced=synced))


def digest_sent_set(repo_id, *, at, period=None, pipe=None):
    fields = {"lastDigestAt": at}
    if period:
        fields["lastDigestPeriod"] = period
    with kv.atomic(pipe) as p:
        p.hset(keys.meta_repo_subscriptions(repo_id), mapping=fields)
