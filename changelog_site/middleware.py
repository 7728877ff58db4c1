"""Turn errors raised below the views into the right response instead of a 500.

* Redis unreachable: 503 with Retry-After (JSON for the API, a page otherwise).
* A service's domain error (``changelog_site.domain``) a view let through: its JSON for the API,
  the error page (or the 404 page) for pages, both from ``changelog_site.errors``. DRF views map
  them in ``errors.api_exception_handler`` before they get here.
"""

from django.shortcuts import render

from changelog_site.domain import DomainError
from changelog_site.errors import (RETRY_AFTER_STORAGE, domain_error_json, domain_error_page, storage_is_down,
                                   storage_unavailable)


def wants_json(request):
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if storage_is_down(exception):
            if wants_json(request):
                return storage_unavailable()
            response = render(request, "unavailable.html", status=503)
            response["Retry-After"] = RETRY_AFTER_STORAGE
            return response
        if isinstance(exception, DomainError):
            return domain_error_json(exception) if wants_json(request) else domain_error_page(request, exception)
        return None
