"""``POST /api/github/sync``: GitHub's webhooks (CONTRACT.md). Thin: read the raw body, hand it to the
intake, answer its outcome (or the domain error it raised) as HTTP."""

from django.views.decorators.csrf import csrf_exempt

from changelog_site.domain import DomainError
from changelog_site.errors import domain_error_json
from changelog_site.webhooks import outcome_response, read_webhook_body
from github_sync.services import intake


@csrf_exempt
def github_sync(request):
    body, refusal = read_webhook_body(request, max_bytes=intake.MAX_BODY_BYTES, sender="GitHub")
    if refusal:
        return refusal
    try:
        outcome = intake.delivery_receive(headers=request.headers, body=body, content_type=request.content_type)
    except DomainError as error:
        return domain_error_json(error)
    return outcome_response(outcome)
