"""``POST /api/billing/webhook``: DodoPayments webhooks. Thin: the raw body goes to the
intake (``billing.webhooks``), which verifies the Standard Webhooks signature before anything is parsed."""

import time

from django.views.decorators.csrf import csrf_exempt

from billing import webhooks
from changelog_site.domain import DomainError
from changelog_site.errors import domain_error_json
from changelog_site.webhooks import outcome_response, read_webhook_body


@csrf_exempt
def dodo_webhook(request):
    body, refusal = read_webhook_body(request, max_bytes=webhooks.MAX_WEBHOOK_BYTES, sender="DodoPayments")
    if refusal:
        return refusal
    try:
        webhook_id, event = webhooks.dodo_webhook_verify(headers=request.headers, body=body)
        outcome = webhooks.dodo_event_apply(webhook_id=webhook_id, event=event, received_at=time.time())
    except DomainError as error:
        return domain_error_json(error)
    return outcome_response(outcome)
