from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from changelog_site import health
from changelog_site.errors import RETRY_AFTER_STORAGE


@never_cache
def healthz(request):
    result = health.check()
    response = JsonResponse(result, status=200 if result["status"] == "ok" else 503,
                            json_dumps_params={"separators": (",", ":")})
    if result["status"] != "ok":
        response["Retry-After"] = RETRY_AFTER_STORAGE
    return response
