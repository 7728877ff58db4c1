"""``POST /api/github/sync``: GitHub's webhooks. Thin: the raw body goes to the intake, whose outcome
(or the domain error it raised) is answered as HTTP."""

from django.views.decorators.csrf import csrf_exempt

from changelog_site.webhooks import webhook_receive
from github_sync.services import intake


@csrf_exempt
def github_sync(request):
    return webhook_receive(request, max_bytes=intake.MAX_BODY_BYTES, sender="GitHub", handle=lambda body:
                           intake.delivery_receive(headers=request.headers, body=body,
                                                   content_type=request.content_type))
