"""``POST /api/github/sync``: GitHub's webhooks (CONTRACT.md). Thin: read the raw body, hand it over."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from changelog_site.errors import json_error
from github_sync import services


@csrf_exempt
def github_sync(request):
    if request.method != "POST":
        return json_error(405, "method_not_allowed", "Only POST is accepted here.", headers={"Allow": "POST"})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > services.MAX_BODY_BYTES:
        return json_error(413, "payload_too_large", "GitHub webhook payloads are at most 25 MB.")
    # Read the raw bytes ourselves (not request.body, which Django caps at 2.5 MB): the signature
    # covers exactly these bytes, and nothing is parsed before it is checked.
    body = request.read(services.MAX_BODY_BYTES + 1)
    reply = services.delivery_receive(headers=request.headers, body=body, content_type=request.content_type)
    response = JsonResponse(reply.body, status=reply.status)
    for name, value in reply.headers.items():
        response[name] = value
    return response
