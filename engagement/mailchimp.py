"""Optional Mailchimp audience sync: confirmed subscribers are members of an audience, and leave it
(status ``unsubscribed``) when they unsubscribe or are removed. On when ``MAILCHIMP_API_KEY`` is set
and the repository (settings page) or ``MAILCHIMP_AUDIENCE_ID`` names an audience.

Marketing API 3.0: ``PUT /lists/{audience}/members/{md5(lowercased email)}`` upserts one member;
``POST /lists/{audience}`` with ``update_existing`` upserts up to 500 at once (the "sync now"
button). Authentication is HTTP Basic with the key as the password; the API's host is the key's
data-centre suffix (``…-us21`` -> ``https://us21.api.mailchimp.com/3.0``) unless
``MAILCHIMP_API_URL`` says otherwise. Only addresses and a status are sent, never preferences.
"""

import hashlib

from django.conf import settings
from requests import RequestException

from changelog_site.http import session_shared
from engagement import subscription_settings
from engagement.models import Subscriber

BATCH = 500


class MailchimpError(Exception):
    pass


def api_url():
    if settings.MAILCHIMP_API_URL:
        return settings.MAILCHIMP_API_URL.rstrip("/")
    data_centre = settings.MAILCHIMP_API_KEY.rpartition("-")[2] or "us1"
    return f"https://{data_centre}.api.mailchimp.com/3.0"


def audience_for(repo_id):
    """The repository's audience id, or "" when the sync is off."""
    if not settings.MAILCHIMP_API_KEY:
        return ""
    return subscription_settings.repo_settings(repo_id)["mailchimpAudienceId"] or settings.MAILCHIMP_AUDIENCE_ID


def member_hash(email):
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


def _call(method, path, body):
    try:
        response = session_shared("mailchimp").request(method, api_url() + path, json=body,
                                                       auth=("shiplog", settings.MAILCHIMP_API_KEY))
    except RequestException as error:
        raise MailchimpError(f"no answer from Mailchimp: {type(error).__name__}") from error
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail") or response.text
        except ValueError:
            detail = response.text
        raise MailchimpError(f"Mailchimp answered {response.status_code}: {str(detail)[:200]}")
    return response.json() if response.content else {}


def member_sync(*, repo_id, email, subscribed):
    """Upsert one address as ``subscribed`` or ``unsubscribed``; False when the sync is off."""
    audience = audience_for(repo_id)
    if not audience:
        return False
    status = "subscribed" if subscribed else "unsubscribed"
    _call("PUT", f"/lists/{audience}/members/{member_hash(email)}",
          {"email_address": email, "status_if_new": status, "status": status})
    subscription_settings.mailchimp_status_set(repo_id, ok=True)
    return True


def record_failure(repo_id, error):
    subscription_settings.mailchimp_status_set(repo_id, ok=False, error=str(error))


def audience_sync(*, repo_id):
    """Upsert every confirmed subscriber, ``BATCH`` at a time; returns how many were sent.
    The outcome is recorded for the dashboard either way."""
    audience = audience_for(repo_id)
    if not audience:
        return 0
    emails = [s.email for s in Subscriber.for_repo(repo_id) if s.confirmed is True]
    try:
        for start in range(0, len(emails), BATCH):
            members = [{"email_address": email, "status": "subscribed"} for email in emails[start:start + BATCH]]
            result = _call("POST", f"/lists/{audience}", {"members": members, "update_existing": True})
            failed = result.get("errors") or []
            if failed:
                raise MailchimpError(f"Mailchimp refused {len(failed)} address(es): {failed[0].get('error', '')}")
    except MailchimpError as error:
        subscription_settings.mailchimp_status_set(repo_id, ok=False, error=str(error))
        raise
    subscription_settings.mailchimp_status_set(repo_id, ok=True, synced=len(emails))
    return len(emails)
