"""The widget's public endpoints: the embed script and its data, and the readers' beacon.

Plain Django views rather than DRF: they run on other people's sites for every page view of
theirs, so they stay lean, and they never touch ``request.user``, the session or any cookie
(nothing here reads a cookie, so the session middleware neither adds ``Vary: Cookie`` nor sets
one). Every answer, errors included, carries ``Access-Control-Allow-Origin: *``: a refused CORS
read would print an error in the host page's console.
"""

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from changelog_site import front
from changelog_site.domain import DomainError
from changelog_site.errors import domain_error_json, json_error, storage_is_down, storage_unavailable
from changelog_site.kv.records import ValidationError
from engagement import privacy
from widget import services

DATA_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"
ERROR_CACHE_CONTROL = "public, max-age=60"
LOADER_CACHE_CONTROL = "public, max-age=300"  # a new release reaches every host within 5 minutes
SCRIPT_CACHE_CONTROL = "public, max-age=31536000, immutable"  # the URL changes with the content
TRACK_MAX_BYTES = 2048
SCRIPT_DIR = Path(settings.BASE_DIR) / "static" / "widget"


@lru_cache(maxsize=None)
def widget_script():
    """``(version, text, gzipped)`` of the widget script, read once per process."""
    text = (SCRIPT_DIR / "widget.js").read_bytes()
    return hashlib.sha256(text).hexdigest()[:12], text, gzip.compress(text, 9, mtime=0)


@lru_cache(maxsize=None)
def loader_script():
    """``(text, gzipped)`` of the loader, which names the current release."""
    text = (SCRIPT_DIR / "loader.js").read_bytes().replace(b"__VERSION__", widget_script()[0].encode())
    return text, gzip.compress(text, 9, mtime=0)


def _shared(response, cache_control):
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = cache_control
    return response


def _error(status, code, detail, headers=None):
    return _shared(json_error(status, code, detail, headers=headers), "no-store")


def _preflight(methods):
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    response["Allow"] = methods
    return _shared(response, "public, max-age=86400")


def _not_allowed(methods):
    return _error(405, "method_not_allowed", f"Only {methods} is accepted here.", headers={"Allow": methods})


def _etag_matches(request, etag):
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return header.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in header.split(","))


def _script_response(request, body, gzipped, cache_control):
    response = HttpResponse(content_type="text/javascript; charset=utf-8")
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response.content, response["Content-Encoding"] = gzipped, "gzip"
    else:
        response.content = body
    response["Vary"] = "Accept-Encoding"
    response["X-Content-Type-Options"] = "nosniff"
    return _shared(response, cache_control)


def widget_loader(request):
    """``GET /widget.js``: a few lines that load the versioned script; cached for minutes only."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed("GET, HEAD")
    return _script_response(request, *loader_script(), LOADER_CACHE_CONTROL)


def widget_script_versioned(request, version):
    """``GET /widget/v/{version}.js``: the widget itself, cached for a year under its content hash.
    An outdated version (a loader cached before a release) gets today's script, briefly cached."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed("GET, HEAD")
    current, text, gzipped = widget_script()
    return _script_response(request, text, gzipped,
                            SCRIPT_CACHE_CONTROL if version == current else LOADER_CACHE_CONTROL)


def widget_data(request, widget_id):
    """``GET /api/widget/{widgetId}``: the widget's config and latest entries (CONTRACT.md)."""
    if request.method == "OPTIONS":
        return _preflight("GET, HEAD, OPTIONS")
    if request.method not in ("GET", "HEAD"):
        return _not_allowed("GET, HEAD, OPTIONS")
    try:
        result = services.widget_public_body(widget_id=widget_id)
    except DomainError as error:
        return _shared(domain_error_json(error), ERROR_CACHE_CONTROL)
    except Exception as error:
        if storage_is_down(error):
            return _shared(storage_unavailable(), "no-store")
        raise
    if _etag_matches(request, result.etag):
        response = HttpResponse(status=304)
    else:
        response = front.offer(HttpResponse(result.body, content_type="application/json"),
                               services.widget_front_responder(widget_id=widget_id))
    response["ETag"] = result.etag
    return _shared(response, DATA_CACHE_CONTROL)


@csrf_exempt  # anonymous and cookieless: there is no session a forged request could ride on
def widget_track(request, widget_id):
    """``POST /api/widget/{widgetId}/track``: one impression or click (JSON or ``text/plain``,
    as ``navigator.sendBeacon`` sends it); 204. Bots and Do-Not-Track/GPC readers are not counted."""
    if request.method == "OPTIONS":
        return _preflight("POST, OPTIONS")
    if request.method != "POST":
        return _not_allowed("POST, OPTIONS")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > TRACK_MAX_BYTES:
        return _error(413, "payload_too_large", f"An event is at most {TRACK_MAX_BYTES} bytes.")
    if privacy.is_bot(request) or privacy.opted_out(request):
        return _shared(HttpResponse(status=204), "no-store")
    raw = request.read(TRACK_MAX_BYTES + 1)
    if len(raw) > TRACK_MAX_BYTES:
        return _error(413, "payload_too_large", f"An event is at most {TRACK_MAX_BYTES} bytes.")
    try:
        event, entry_id = services.widget_event_parse(raw=raw)
        services.widget_track(widget_id=widget_id, event=event, entry_id=entry_id, ip_hash=privacy.ip_hash(request))
    except ValidationError as error:
        return _shared(json_error(400, "invalid", "Some fields are invalid.", errors=error.errors), "no-store")
    except DomainError as error:
        return _shared(domain_error_json(error), "no-store")
    except Exception as error:
        if storage_is_down(error):
            return _shared(storage_unavailable(), "no-store")
        raise
    return _shared(HttpResponse(status=204), "no-store")
