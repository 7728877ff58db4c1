"""The HTTP side of the webhook receivers (GitHub, DodoPayments): the raw body in, the answer out.

The intakes (``github_sync.services.intake``, ``billing.webhooks``) get the raw bytes and return a
``changelog_site.domain.Outcome`` or raise a domain error; the receivers answer the outcome with
``outcome_response`` and an error with ``changelog_site.errors.domain_error_json``.
"""

from django.http import JsonResponse

from changelog_site.domain import DomainError, RateLimited, Unauthenticated
from changelog_site.errors import domain_error_json, json_error
from changelog_site.ratelimit import RefusalLimit

REFUSALS = RefusalLimit("webhook-refused")


def webhook_receive(request, *, max_bytes, sender, handle):
    """Answer a webhook POST: ``handle(body)`` returns the intake's ``Outcome`` or raises a domain error.

    A source that keeps sending bodies with bad signatures is refused with 429 before its body is
    read, once it has spent its refusals (``RATE_LIMITS["webhook-refused"]``, per IP and minute).
    """
    try:
        REFUSALS.check(request)
    except RateLimited as limited:
        return domain_error_json(limited)
    body, refusal = read_webhook_body(request, max_bytes=max_bytes, sender=sender)
    if refusal:
        return refusal
    try:
        outcome = handle(body)
    except DomainError as error:
        if isinstance(error, Unauthenticated):
            REFUSALS.count(request)
        return domain_error_json(error)
    return outcome_response(outcome)


def read_webhook_body(request, *, max_bytes, sender):
    """The raw bytes of a webhook POST, or the error response to send instead.

    Webhook signatures cover exactly these bytes, so we read them ourselves (``request.body`` is
    capped by DATA_UPLOAD_MAX_MEMORY_SIZE) and nothing is parsed before the signature is checked.
    A body without a Content-Length is read one byte past the limit so the service can refuse it.
    Returns ``(body, None)`` or ``(None, response)``.
    """
    if request.method != "POST":
        return None, json_error(405, "method_not_allowed", "Only POST is accepted here.", headers={"Allow": "POST"})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        return None, json_error(413, "payload_too_large",
                                f"{sender} webhook payloads are at most {max_bytes // (1024 * 1024)} MB.")
    return request.read(max_bytes + 1), None


def outcome_response(outcome):
    """``{"status", ...details}``: 202 for a delivery accepted but not acted on (ignored, queued), else 200."""
    return JsonResponse(outcome.as_dict(), status=202 if outcome.deferred else 200)
