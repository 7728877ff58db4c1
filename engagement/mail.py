"""Subscriber emails: composing them from templates, and sending a batch over one SMTP connection.

Every email has a text and an HTML part rendered from ``engagement/emails/``; every link is absolute
on ``PUBLIC_BASE_URL``. List emails (updates and digests, not the confirmation) carry RFC 8058's
one-click unsubscribe: ``List-Unsubscribe: <…/subscriptions/unsubscribe/{token}/>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``.

``send_batch`` opens one connection for the whole batch and goes on past a failing address. A
failure is *permanent* when the server answered 5xx (the address or the message was refused: a
bounce, recorded on the subscriber and never retried) and *transient* otherwise (4xx, a dropped
connection, a server that is down: the caller releases its send marker so a retry can send).
"""

import logging
import smtplib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
ERROR_MAX = 300


class SendFailed(Exception):
    """A single email (the owner's test digest) could not be sent."""


@dataclass
class SendResult:
    email: str
    ok: bool
    permanent: bool = False
    error: str = ""


def absolute(path):
    return settings.PUBLIC_BASE_URL + path


def list_headers(*, repo_id, branding, unsubscribe_url):
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "localhost"
    list_id = repo_id.replace("/", ".").lower()
    name = branding["name"].replace("<", "").replace(">", "").replace('"', "")
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f'"{name} changelog" <{list_id}.{host}>',
        "Auto-Submitted": "auto-generated",
        "Precedence": "list",
    }


def message_build(*, to, subject, template, context, headers=None):
    """An email with ``engagement/emails/{template}.txt`` and ``.html`` rendered with ``context``."""
    context = {**context, "public_base_url": settings.PUBLIC_BASE_URL}
    text = render_to_string(f"engagement/emails/{template}.txt", context)
    html = render_to_string(f"engagement/emails/{template}.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, settings.DEFAULT_FROM_EMAIL, [to],
                                     headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def _failure(email, error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reason = next(iter(error.recipients.values()), (0, b""))
        detail = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        return SendResult(email, False, permanent=code >= 500, error=f"{code} {detail}"[:ERROR_MAX])
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return SendResult(email, False, permanent=error.smtp_code >= 500,
                          error=f"{error.smtp_code} {detail}"[:ERROR_MAX])
    return SendResult(email, False, permanent=False, error=f"{type(error).__name__}: {error}"[:ERROR_MAX])


def _close(connection):
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        log.debug("closing the SMTP connection failed", exc_info=True)


def send_batch(messages):
    """Send each message (one recipient each) over one connection: a ``SendResult`` per message."""
    if not messages:
        return []
    connection = get_connection()
    results = []
    try:
        try:
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            log.warning("SMTP server unavailable: %s", error)
            return [_failure(message.to[0], error) for message in messages]
        for message in messages:
            message.connection = connection
            try:
                connection.send_messages([message])
            except smtplib.SMTPServerDisconnected as error:
                results.append(_failure(message.to[0], error))
                _close(connection)  # the next message opens a new connection
            except (smtplib.SMTPException, OSError) as error:
                results.append(_failure(message.to[0], error))
            else:
                results.append(SendResult(message.to[0], True))
    finally:
        _close(connection)
    return results
