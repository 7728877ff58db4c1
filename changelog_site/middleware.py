"""Turn an unreachable Redis into a 503 with Retry-After instead of a 500."""

import redis
from django.shortcuts import render

from changelog_site.errors import RETRY_AFTER_STORAGE, storage_unavailable


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (redis.ConnectionError, redis.TimeoutError)):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return storage_unavailable()
        response = render(request, "unavailable.html", status=503)
        response["Retry-After"] = RETRY_AFTER_STORAGE
        return response
