"""``POST /api/billing/webhook``: DodoPayments webhooks (CONTRACT.md). Thin: the raw body goes to the
services, which verify the Standard Webhooks signature before anything is parsed."""

import time

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from billing import services
from changelog_site.errors import ApiError, json_error


@csrf_exempt
def dodo_webhook(request):
    if request.method != "POST":
        return json_error(405, "method_not_allowed", "Only POST is accepted here.", headers={"Allow": "POST"})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > services.MAX_WEBHOOK_BYTES:
        return json_error(413, "payload_too_large", "DodoPayments webhook payloads are at most 1 MB.")
    body = request.read(services.MAX_WEBHOOK_BYTES + 1)
    try:
        webhook_id, event = services.dodo_webhook_verify(headers=request.headers, body=body)
        reply = services.dodo_event_apply(webhook_id=webhook_id, event=event, received_at=time.time())
    except ApiError as error:
        return json_error(error.status_code, error.code, error.detail, error.errors, error.headers)
    return JsonResponse(reply.body, status=reply.status)
