"""``POST /api/github/sync``: GitHub's webhooks (CONTRACT.md). Thin: read the raw body, hand it over."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from changelog_site.errors import read_webhook_body
from github_sync import services


@csrf_exempt
def github_sync(request):
    body, refusal = read_webhook_body(request, max_bytes=services.MAX_BODY_BYTES, sender="GitHub")
    if refusal:
        return refusal
    reply = services.delivery_receive(headers=request.headers, body=body, content_type=request.content_type)
    response = JsonResponse(reply.body, status=reply.status)
    for name, value in reply.headers.items():
        response[name] = value
    return response
