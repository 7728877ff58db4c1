from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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


FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers and feed readers ask for whatever the page links to."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
