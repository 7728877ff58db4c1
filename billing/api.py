"""``POST /api/billing/webhook``: DodoPayments webhooks (CONTRACT.md). Thin: the raw body goes to the
services, which verify the Standard Webhooks signature before anything is parsed."""

import time

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from billing import services
from changelog_site.errors import ApiError, json_error, read_webhook_body


@csrf_exempt
def dodo_webhook(request):
    body, refusal = read_webhook_body(request, max_bytes=services.MAX_WEBHOOK_BYTES, sender="DodoPayments")
    if refusal:
        return refusal
    try:
        webhook_id, event = services.dodo_webhook_verify(headers=request.headers, body=body)
        reply = services.dodo_event_apply(webhook_id=webhook_id, event=event, received_at=time.time())
    except ApiError as error:
        return json_error(error.status_code, error.code, error.detail, error.errors, error.headers)
    return JsonResponse(reply.body, status=reply.status)
