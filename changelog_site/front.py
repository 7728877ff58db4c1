"""The front door: readers' GETs of public pages Django has answered before, answered without Django.

Readers, feed readers and embedded widgets are most of the traffic, and what they ask for is a
cached body (``engagement.page_cache``, the widget's JSON) that costs one Redis round trip. Even
the lean middleware path (``changelog_site.lean``) spent several times that in Django's request
cycle (request and response objects, URL resolution, middleware, security and CSP headers).
``FrontDoor`` wraps the WSGI application and keeps, per process, the routes Django has answered
with a body a responder can serve again:

* A view offers its responder on its response (``offer``); when that 200 answer to a lean GET
  leaves the middleware, ``learn`` keeps its headers as Django made them (security headers, CSP,
  CORS, Cache-Control, X-Frame-Options or its absence), with the CSP nonce as a slot, under the
  request's host, scheme, proxy header, path and query string.
* The next GET of exactly that route is answered by the responder alone: one Redis round trip
  that checks the stored body is current and, on an entry page, counts the view; a new nonce;
  the learned headers with this body's ``ETag``, ``Last-Modified`` and length; ``304`` when the
  reader's ``If-None-Match`` (or, without it, ``If-Modified-Since``) says they have it.
* Anything else goes to Django: other methods, HEAD, ``If-Match``/``If-Unmodified-Since``, a route
  not learned (another host, scheme or query string: Django validates the host, redirects to
  HTTPS and resolves the URL first), and every request the responder does not answer (a change
  since, nobody connected any more, the process's copy of the body evicted), which also forgets
  the route until Django offers it again. When the responder fails (Redis down) Django answers
  too, told through ``FAILED`` that an entry view may already have been counted; a failure that
  is not Redis's (a bug) is logged.

Routes are bounded (``ROUTES_MAX``, cleared when full) and forgotten when a setting changes.
"""

import base64
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.http import http_date, parse_etags, parse_http_date_safe

KEY = "shiplog.front.key"
FAILED = "shiplog.front.failed"
ROUTES_MAX = 4096
NONCE_SLOT = "\x00nonce\x00"
PER_RESPONSE = {"etag", "last-modified", "content-length"}
# A 304 leaves the browser its stored body and updates that response's headers: no CSP (its
# nonce would not be the stored body's), as Django's path (changelog_site.security) does too.
NOT_MODIFIED_DROPS = {"content-type", "content-security-policy"}
UNHANDLED_CONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")

logger = logging.getLogger(__name__)


@dataclass
class Reply:
    """What a responder serves: the body, its ``ETag`` and its ``Last-Modified`` (seconds)."""

    body: bytes
    etag: str
    last_modified: int | None = None


class EnvironRequest:
    """What a responder may read of the request, as Django's request has it: ``META`` (the WSGI
    environ) and ``method``."""

    def __init__(self, environ):
        self.META = environ
        self.method = environ.get("REQUEST_METHOD")


@dataclass
class Route:
    responder: Callable  # (environ, nonce) -> Reply | None
    headers: list  # (name, value), NONCE_SLOT where the response's CSP nonce was
    nonce: bool


_routes = {}


@receiver(setting_changed)
def _forget_routes(**kwargs):
    forget()


def forget():
    _routes.clear()


def offer(response, responder):
    """Let ``responder(environ, nonce)`` answer this response's route from now on (see above)."""
    response.front_responder = responder
    return response


def route_key(environ, proxy_header=None):
    return (environ.get("HTTP_HOST") or environ.get("SERVER_NAME"), environ.get("wsgi.url_scheme"),
            environ.get(proxy_header) if proxy_header else None, environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))


def learn(request, response):
    """Keep ``response``'s route when its view offered a responder (``LeanPublicPaths`` calls this
    with the finished response of every lean request)."""
    responder = getattr(response, "front_responder", None)
    key = request.META.get(KEY)
    if (responder is None or key is None or request.method != "GET" or response.status_code != 200
            or response.cookies or response.streaming):
        return
    nonce = getattr(request, "_csp_nonce", None)  # django-csp's, a str once the response used one
    nonce = nonce if isinstance(nonce, str) and nonce else None
    headers = [(name, value.replace(nonce, NONCE_SLOT) if nonce else value)
               for name, value in response.items() if name.lower() not in PER_RESPONSE]
    if len(_routes) >= ROUTES_MAX:
        _routes.clear()
    _routes[key] = Route(responder=responder, headers=headers, nonce=nonce is not None)


@lru_cache(maxsize=1024)
def _http_date(seconds):
    """A page's ``Last-Modified`` changes only with its version: formatted once per version."""
    return http_date(seconds)


def new_nonce():
    """A CSP nonce as django-csp makes them (128 random bits, base64)."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def not_modified(environ, reply):
    """True when the reader already has ``reply`` (Django's ``get_conditional_response`` rules for
    a GET without ``If-Match``/``If-Unmodified-Since``)."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        etags = parse_etags(if_none_match)
        return "*" in etags or reply.etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in etags}
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since and reply.last_modified is not None:
        since = parse_http_date_safe(since)
        return since is not None and reply.last_modified <= since
    return False


class FrontDoor:
    """The WSGI application: learned routes answered here, everything else by Django's ``app``."""

    def __init__(self, app):
        self.app = app
        proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self.proxy_header = proxy[0] if proxy else None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET":
            key = route_key(environ, self.proxy_header)
            route = _routes.get(key)
            if route is not None and not any(name in environ for name in UNHANDLED_CONDITIONS):
                body = self.answer(route, key, environ, start_response)
                if body is not None:
                    return body
            environ[KEY] = key
        return self.app(environ, start_response)

    @staticmethod
    def answer(route, key, environ, start_response):
        nonce = new_nonce() if route.nonce else ""
        try:
            reply = route.responder(environ, nonce)
        except Exception as error:
            if not isinstance(error, redis.RedisError):  # Redis trouble is Django's to answer (503)
                logger.exception("front door: the responder of %s failed; Django answers", environ.get("PATH_INFO"))
            environ[FAILED] = True
            reply = None
        if reply is None:
            _routes.pop(key, None)
            return None
        headers = [(name, value.replace(NONCE_SLOT, nonce)) for name, value in route.headers] if route.nonce \
            else list(route.headers)
        headers.append(("ETag", reply.etag))
        if reply.last_modified is not None:
            headers.append(("Last-Modified", _http_date(reply.last_modified)))
        if not_modified(environ, reply):
            start_response("304 Not Modified", [(name, value) for name, value in headers
                                                if name.lower() not in NOT_MODIFIED_DROPS])
            return [b""]
        headers.append(("Content-Length", str(len(reply.body))))
        start_response("200 OK", headers)
        return [reply.body]
