"""``POST /api/billing/webhook``: DodoPayments webhooks. Thin: the raw body goes to the
intake (``billing.webhooks``), which verifies the Standard Webhooks signature before anything is parsed."""

import time

from django.views.decorators.csrf import csrf_exempt

from billing import webhooks
from changelog_site.webhooks import webhook_receive


def _apply(headers, body):
    webhook_id, event = webhooks.dodo_webhook_verify(headers=headers, body=body)
    return webhooks.dodo_event_apply(webhook_id=webhook_id, event=event, received_at=time.time())


@csrf_exempt
def dodo_webhook(request):
    return webhook_receive(request, max_bytes=webhooks.MAX_WEBHOOK_BYTES, sender="DodoPayments",
                           handle=lambda body: _apply(request.headers, body))
