"""A lean middleware path for what readers, feed readers, embedded widgets and GitHub send.

Those requests are most of the traffic and need nothing of the signed-in product: no session, no
user, no messages, no allauth, no CSRF cookie (a cookie would also make a public page differ per
reader and uncacheable). ``LeanPublicPaths`` runs first in ``settings.MIDDLEWARE``: for a request
``is_lean`` accepts, it answers through a second, shorter chain, ``settings.MIDDLEWARE`` without
``settings.LEAN_SKIPPED_MIDDLEWARE`` (so security headers, ``APPEND_SLASH``, X-Frame-Options, the
Content-Security-Policy and the storage-error pages still apply), built once as Django builds its
own; every other request goes down the full stack unchanged.

The lean chain also teaches the front door (``changelog_site.front``) each GET answer a view
offered a responder for (``front.learn``), so the next GET of that route skips Django entirely.

Lean: ``GET``/``HEAD`` of the public changelog (``/changelog/…``: pages, entries, feeds, sitemap,
``upvoted``, the subscribe page) and of the public roadmap (``/roadmap/…``), and their upvote
``POST`` (CSRF-exempt, cookieless; a roadmap upvote may carry the voter's email for alerts), the widget's
script, data and beacon, ``/healthz``, ``/favicon.ico`` and the GitHub and DodoPayments webhooks
(CSRF-exempt, signed). A view there must not use ``request.user``, ``request.session`` or
messages; templates rendered there see an anonymous user through the ``auth`` context processor.
"""

import re

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.utils.module_loading import import_string

from changelog_site import front

ANY_METHOD = re.compile(r"^/(?:healthz$|favicon\.ico$|widget\.js$|widget/v/|api/widget/|api/github/sync/?$"
                        r"|api/billing/webhook$)")
READS = ("GET", "HEAD")
PUBLIC_PAGES = ("/changelog/", "/roadmap/")
UPVOTE = re.compile(r"^/(?:changelog|roadmap)/[^/]+/[^/]+/\d+/upvote/$")


def is_lean(request):
    path = request.path_info
    if ANY_METHOD.match(path):
        return True
    if path.startswith(PUBLIC_PAGES):
        return request.method in READS or (request.method == "POST" and UPVOTE.match(path) is not None)
    return False


def lean_middleware():
    """The dotted paths of the lean chain, outermost first."""
    skipped = set(settings.LEAN_SKIPPED_MIDDLEWARE) | {f"{__name__}.LeanPublicPaths"}
    return [path for path in settings.MIDDLEWARE if path not in skipped]


class LeanHandler(BaseHandler):
    """A request handler whose middleware chain is ``paths`` (sync, as served over WSGI): the same
    steps as ``BaseHandler.load_middleware``, which reads ``settings.MIDDLEWARE`` only."""

    def __init__(self, paths):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(paths):
            middleware = import_string(path)(handler)
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


class LeanPublicPaths:
    """First in ``settings.MIDDLEWARE``: public requests take the lean chain, the rest the full one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.lean = LeanHandler(lean_middleware())._middleware_chain

    def __call__(self, request):
        if is_lean(request):
            response = self.lean(request)
            front.learn(request, response)
            return response
        return self.get_response(request)
