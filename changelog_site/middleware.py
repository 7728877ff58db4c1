"""Turn errors raised below the views into the right response instead of a 500.

* Redis unreachable: 503 with Retry-After (JSON for the API, a page otherwise).
* A service's ``ApiError`` raised in a page view: its status, with the error page or a 404.
  (DRF views handle ``ApiError`` themselves through ``changelog_site.errors``.)
"""

from django.http import Http404
from django.shortcuts import render

from changelog_site.errors import RETRY_AFTER_STORAGE, ApiError, json_error, storage_is_down, storage_unavailable


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
        if isinstance(exception, ApiError):
            if wants_json(request):
                return json_error(exception.status_code, exception.code, exception.detail, exception.errors,
                                  exception.headers)
            if exception.status_code == 404:
                raise Http404(str(exception.detail))
            return render(request, "error.html", {"title": "Something needs attention", "error": exception},
                          status=exception.status_code)
        return None
