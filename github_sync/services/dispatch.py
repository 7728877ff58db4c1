"""One verified, parsed delivery to the handler of its event."""

from changelog_site.domain import Outcome, ValidationFailed
from changelog_site.kv.records import ValidationError
from entries import github_pr
from github_sync.services.pull_requests import pull_request_delivery
from github_sync.services.releases import release_delivery
from github_sync.services.repositories import repository_delivery
from roadmap.sync import issues_delivery

HANDLERS = {
    "pull_request": pull_request_delivery,
    "repository": repository_delivery,
    "release": release_delivery,
    "issues": issues_delivery,
}


def delivery_process(*, event, delivery_id, payload):
    """Act on one delivery; returns its ``Outcome``. A payload the handler cannot use raises
    ``ValidationFailed`` (``invalid_payload``); Redis connection errors are raised as they are
    (the caller keeps the delivery in the inbox)."""
    if event == "ping":
        return Outcome("pong", {"zen": str(payload.get("zen") or "")})
    if event.startswith("installation") or event == "github_app_authorization":
        return Outcome("acknowledged")
    handler = HANDLERS.get(event)
    if handler is None:
        return Outcome("ignored", {"reason": "unhandled_event"})
    try:
        return handler(delivery_id=delivery_id, payload=payload)
    except github_pr.PayloadError as error:
        raise ValidationFailed(str(error), code="invalid_payload") from error
    except ValidationError as error:
        raise ValidationFailed("The pull request has invalid fields.", code="invalid_payload",
                               errors=error.errors) from error
