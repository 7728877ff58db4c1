"""Brute-force limits on signing in, shared by the site's login and Django admin's.

The site's sign-in, sign-up and password reset are allauth's views, limited by allauth's rate
limits (``settings.ACCOUNT_RATE_LIMITS``: per IP, and per account for failed logins and password
reset emails) kept in Django's cache, that is Redis, so every web process counts into the same
windows. ``admin_login`` puts ``/admin/login/`` behind the same ``login`` and ``login_failed``
limits under the same keys: failures at either door count against one budget per IP and per
account. Over a limit the answer is ``too_many_requests``: 429 with ``Retry-After``.
"""

import math
import time

# allauth's implementation module: the public ``allauth.core.ratelimit.consume`` returns a bool,
# and a successful admin login must roll its failed-attempt hit back, as allauth's own login does.
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.contrib import admin
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render

from changelog_site.middleware import wants_json

ACCOUNT_APP = "allauth.account"
# Which of allauth's actions a 429 from each allauth view comes from (for its Retry-After).
ACTIONS_BY_URL_NAME = {
    "account_login": ("login", "login_failed"),
    "account_signup": ("signup",),
    "account_reset_password": ("reset_password",),
    "account_reset_password_from_key": ("reset_password_from_key",),
    "account_email": ("manage_email",),
    "account_change_password": ("change_password",),
    "account_set_password": ("change_password",),
}


def retry_after_seconds(request, actions, key=None):
    """Seconds until each full window among ``actions``' rates frees a hit (allauth keeps a window's
    hit times, newest first, in the cache); a rate it cannot look up (per account, account unknown)
    counts with its whole window."""
    now = time.time()
    waits, unknown = [], []
    for action in actions:
        for rate in allauth_ratelimit.get_rates(app=ACCOUNT_APP, action=action):
            if (rate.per == "key" and key is None) or (rate.per == "user" and not request.user.is_authenticated):
                unknown.append(rate.duration)
                continue
            history = cache.get(allauth_ratelimit.get_cache_key(
                request, app=ACCOUNT_APP, action=action, rate=rate, key=key), [])
            if len(history) >= rate.amount:
                waits.append(history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(max(waits or unknown or [60])))


def too_many_requests(request, actions=None, key=None):
    """429 with ``Retry-After``: a page, or the API's JSON error for a JSON client. Also allauth's
    429 response (it calls the URLconf's ``handler429``)."""
    if actions is None:
        match = request.resolver_match
        actions = ACTIONS_BY_URL_NAME.get(match.url_name if match else None, ("login", "login_failed"))
    retry_after = retry_after_seconds(request, actions, key)
    detail = f"Too many attempts; try again in {retry_after} seconds."
    if wants_json(request):
        response = JsonResponse({"code": "rate_limited", "detail": detail}, status=429)
    else:
        response = render(request, "error.html", {"title": "Too many attempts", "error": {"detail": detail}},
                          status=429)
    response["Retry-After"] = str(retry_after)
    return response


def login_attempts_key(request, login):
    """The per-account key of allauth's ``login_failed`` limit (``DefaultAccountAdapter.
    _get_login_attempts_cache_key``), so the admin and the site count the same account together."""
    return f"{get_current_site(request).domain}:{login.strip().lower()}"


def admin_login(request, extra_context=None):
    """``admin.site.login`` behind the site's login limits."""
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    if not allauth_ratelimit.consume(request, app=ACCOUNT_APP, action="login"):
        return too_many_requests(request, ("login",))
    account_key = login_attempts_key(request, request.POST.get("username", ""))
    failed_attempt = allauth_ratelimit.consume(request, app=ACCOUNT_APP, action="login_failed", key=account_key)
    if failed_attempt is None:
        return too_many_requests(request, ("login_failed",), key=account_key)
    response = admin.site.login(request, extra_context)
    if isinstance(response, HttpResponseRedirect) and request.user.is_authenticated:
        failed_attempt.rollback()  # it was not a failure
    return response
