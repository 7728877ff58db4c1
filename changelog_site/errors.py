"""The API's error shape (CONTRACT.md): ``{"code": ..., "detail": ...}`` plus optional ``errors``."""

import redis
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from changelog_site.kv.records import ValidationError as RecordValidationError

RETRY_AFTER_STORAGE = "5"


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


class ApiError(exceptions.APIException):
    """An error a service raises with its stable code, status and message."""

    def __init__(self, status_code, code, detail, errors=None, headers=None):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.code = code
        self.errors = errors
        self.headers = headers or {}


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
    # Imported here: rest_framework.views loads the authentication classes, which import ApiError.
    from rest_framework.views import exception_handler

    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("payload_too_large", "The request body is too large."), status=413)
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body("malformed_request", "The request could not be read."), status=400)
    if isinstance(exc, ApiError):
        response = Response(error_body(exc.code, exc.detail, exc.errors), status=exc.status_code)
        for name, value in exc.headers.items():
            response[name] = value
        return response
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


def read_webhook_body(request, *, max_bytes, sender):
    """The raw bytes of a webhook POST, or the error response to send instead.

    Webhook signatures cover exactly these bytes, so we read them ourselves (``request.body`` is
    capped by DATA_UPLOAD_MAX_MEMORY_SIZE) and nothing is parsed before the signature is checked.
    A body without a Content-Length is read one byte past the limit so the service can refuse it.
    Returns ``(body, None)`` or ``(None, response)``.
    """
    if request.method != "POST":
        return None, json_error(405, "method_not_allowed", "Only POST is accepted here.", headers={"Allow": "POST"})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        return None, json_error(413, "payload_too_large",
                                f"{sender} webhook payloads are at most {max_bytes // (1024 * 1024)} MB.")
    return request.read(max_bytes + 1), None


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
