"""OpenAPI: our personal-token authentication, the contract's error responses on every operation, and
component names for the serializers nested in each view.

drf-spectacular documents only the success response of a view. ``ShiplogAutoSchema`` (the
project's DEFAULT_SCHEMA_CLASS) adds the API's JSON errors, ``{"code", "detail",
"errors"?}``: every operation can answer 400, 401, 404, 429 and 503; every write also 403
(CSRF, permissions), 409, 413 and 415; a view lists any others it can return (402 at a plan
limit, 502 when a provider fails) in ``error_statuses``.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

COMMON_ERRORS = (400, 401, 404, 429, 503)
WRITE_ERRORS = (403, 409, 413, 415)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ERROR_DESCRIPTIONS = {
    400: "Bad input: malformed JSON or query, or invalid fields (listed in `errors`).",
    401: "No credentials, or a bad or revoked token.",
    402: "The plan's monthly limit is reached (`plan_limit_reached`).",
    403: "Not allowed (e.g. a missing CSRF token with the dashboard session).",
    404: "No such object, or it belongs to another account.",
    409: "Conflicts with the current state.",
    413: "The request body is too large.",
    415: "The request body's media type is not accepted.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    502: "An upstream provider (GitHub, the AI endpoint, payments) failed.",
    503: "The data store is unreachable; retry after `Retry-After` seconds.",
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}}
RESPONSE_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
    429: RETRY_AFTER,
    503: RETRY_AFTER,
}


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. `not_found`.")
    detail = serializers.CharField(help_text="A message for people.")
    errors = serializers.DictField(child=serializers.JSONField(), required=False,
                                   help_text="Field errors: field name to message (or nested errors).")

    class Meta:
        ref_name = "Error"


class ShiplogAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        """A serializer nested in a view is named after it (``MeView.OutputSerializer``: "MeOutput"),
        so every view has its own ``InputSerializer`` and ``OutputSerializer`` without clashing."""
        *owners, name = type(serializer).__qualname__.split(".")
        return "".join(owner.removesuffix("View").removesuffix("Serializer") for owner in owners) + name

    def error_statuses(self):
        statuses = set(COMMON_ERRORS) | set(getattr(self.view, "error_statuses", ()))
        if self.method in WRITE_METHODS:
            statuses |= set(WRITE_ERRORS)
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self.error_statuses():
            if str(status) in responses:
                continue
            response = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]), str(status))
            if status in RESPONSE_HEADERS:
                response["headers"] = RESPONSE_HEADERS[status]
            responses[str(status)] = response
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token from Settings, or `manage.py api_token EMAIL`."}
