"""Errors as HTTP, in one place: the API's JSON ``{"code", "detail", "errors"?}`` and the pages.

Services raise the domain errors of ``changelog_site.domain``; ``STATUSES`` is the one table
from a domain error to its HTTP status. The API gets the JSON with that status (and
``Retry-After`` when the error says how long to wait) through ``api_exception_handler`` (DRF
views), ``domain_error_json`` (plain views) or ``StorageUnavailableMiddleware`` (anything a view
let through); pages get ``domain_error_page``: the error page with the same status, the 404 page
for ``NotFound``.
"""

import redis
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from changelog_site import domain
from changelog_site.kv.records import ValidationError as RecordValidationError

RETRY_AFTER_STORAGE = "5"

STATUSES = {
    domain.ValidationFailed: 400,
    domain.Unauthenticated: 401,
    domain.PlanLimitReached: 402,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Gone: 410,
    domain.PayloadTooLarge: 413,
    domain.UnsupportedMediaType: 415,
    domain.RateLimited: 429,
    domain.ProviderFailed: 502,
    domain.ServiceNotConfigured: 503,
    domain.GitHubUnavailable: 503,
    domain.StorageUnavailable: 503,
}
PAGE_TITLES = {
    401: "Please sign in again", 402: "Plan limit reached", 403: "Not allowed", 409: "This changed meanwhile",
    410: "Switched off", 429: "Too many requests", 502: "A service we use failed", 503: "Temporarily unavailable",
}


def error_body(code, detail, errors=None):
    body = {"code": code, "detail": str(detail)}
    if errors:
        body["errors"] = errors
    return body


def json_error(status_code, code, detail, errors=None, headers=None):
    response = JsonResponse(error_body(code, detail, errors), status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def storage_is_down(exc):
    """True for an error meaning Redis (the data, or Django's cache: django-redis re-raises the
    redis-py error) is unreachable or not answering. The storage client never retries a command
    (``changelog_site.kv.client``), so this arrives within a second of the request, which then
    gets 503 + ``Retry-After``."""
    return isinstance(exc, (redis.ConnectionError, redis.TimeoutError))


def storage_unavailable():
    return json_error(503, "storage_unavailable", "The data store is unreachable; try again shortly.",
                      headers={"Retry-After": RETRY_AFTER_STORAGE})


def domain_error_status(error):
    """The HTTP status of a domain error: its own class's, or the nearest base class's (500 for
    a ``DomainError`` no row names: a bug, which tests/site/test_domain_errors.py guards against)."""
    return next((STATUSES[cls] for cls in type(error).__mro__ if cls in STATUSES), 500)


def domain_error_headers(error):
    return {"Retry-After": str(error.retry_after)} if error.retry_after else {}


def _client_errors(error):
    """``errors`` as clients get them: a plan limit also says where to upgrade."""
    if isinstance(error, domain.PlanLimitReached):
        return {**error.errors, "upgradeUrl": settings.PUBLIC_BASE_URL + reverse("dashboard-billing")}
    return error.errors


def domain_error_body(error):
    return error_body(error.code, error.detail, _client_errors(error))


def domain_error_json(error):
    """The API's answer to a domain error raised outside a DRF view (webhooks, public endpoints)."""
    return json_error(domain_error_status(error), error.code, error.detail, _client_errors(error),
                      domain_error_headers(error))


def domain_error_page(request, error):
    """A page's answer to a domain error: the 404 page for ``NotFound``, else the error page with
    the error's status and what it says to do."""
    status_code = domain_error_status(error)
    if status_code == 404:
        return page_not_found(request, Http404(error.detail))
    response = render(request, "error.html", {"title": PAGE_TITLES.get(status_code, "Something needs attention"),
                                              "error": error}, status=status_code)
    for name, value in domain_error_headers(error).items():
        response[name] = value
    return response


def _flatten(detail):
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail] if len(detail) != 1 else _flatten(detail[0])
    return str(detail)


def _with_authenticate_header(response, context):
    """Every 401 names the scheme to use (RFC 9110 11.6.1): ``WWW-Authenticate: Bearer``."""
    view, request = context.get("view"), context.get("request")
    if response is not None and response.status_code == 401 and "WWW-Authenticate" not in response:
        header = view.get_authenticate_header(request) if view is not None and request is not None else None
        if header:
            response["WWW-Authenticate"] = header
    return response


def api_exception_handler(exc, context):
    return _with_authenticate_header(_error_response(exc, context), context)


def _error_response(exc, context):
    # Imported here: rest_framework.views loads the API settings, whose classes may import this module.
    from rest_framework.views import exception_handler

    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("payload_too_large", "The request body is too large."), status=413)
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body("malformed_request", "The request could not be read."), status=400)
    if isinstance(exc, domain.DomainError):
        return Response(domain_error_body(exc), status=domain_error_status(exc), headers=domain_error_headers(exc))
    if isinstance(exc, RecordValidationError):
        return Response(error_body("invalid", "Some fields are invalid.", exc.errors), status=400)
    if storage_is_down(exc):
        return Response(error_body("storage_unavailable", "The data store is unreachable; try again shortly."),
                        status=503, headers={"Retry-After": RETRY_AFTER_STORAGE})
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", "Some fields are invalid.", _flatten(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body("malformed_request", exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        response.data = error_body("rate_limited", exc.detail)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = error_body(code, detail)
    if response.status_code == status.HTTP_403_FORBIDDEN and isinstance(exc, exceptions.NotAuthenticated):
        response.status_code = 401
    return response


# --- Django's error views: JSON under /api/, the usual pages elsewhere -------------------------

def _is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    """handler404: an unknown path under /api/ (an id the URL converters refuse) answers JSON too."""
    if _is_api(request):
        return json_error(404, "not_found", "There is nothing at this address.")
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """handler400: e.g. a request body over DATA_UPLOAD_MAX_MEMORY_SIZE read outside DRF."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, "payload_too_large", "The request body is too large.")
        return json_error(400, "malformed_request", "The request could not be read.")
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return json_error(500, "server_error", "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)
