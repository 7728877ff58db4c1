"""Reader-facing subscription pages: subscribe, confirm, unsubscribe, preferences.
Thin: every read and write goes through ``engagement.subscriptions``.

``POST /changelog/{owner}/{repo}/subscribe/`` takes a form (the changelog's own form: a page back) or
JSON (the widget: ``{"code", "detail"}`` answers, CORS open to any origin, no cookies involved). A
form posted from another site is refused; JSON from another site needs a CORS preflight, which a
plain cross-site form cannot send. The links in emails carry their own signed token, so their
pages need no CSRF token (mail providers POST the RFC 8058 one-click unsubscribe without one).
"""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from changelog_site.errors import domain_error_headers, json_error
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from changelog_site.ratelimit import RateLimited
from engagement import privacy, services, subscriptions
from engagement.subscriptions import LinkProblem

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "86400",
}
HONEYPOT = "website"
ACCEPTED = "Check your inbox: we sent you a link to confirm your subscription."
PAGE_STATUS = {"invalid": 400, "expired": 410, "used": 410}


def _form_for(email):
    """A subscribe form for ``email`` with the default preferences ticked."""
    return {"email": email or "", **{name: True for name, on in subscriptions.DEFAULT_PREFERENCES.items() if on}}


def _private(response):
    """Pages reached through a token in the URL: never cached, never leaked in a Referer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _page(request, template, repo_id, status=200, **context):
    base = {"branding": services.branding_get(repo_id=repo_id), "repo_id": repo_id,
            "home_url": services.changelog_url(repo_id),
            "subscribe_url": services.changelog_url(repo_id) + "subscribe/",
            "preference_names": subscriptions.PREFERENCE_NAMES}
    return _private(render(request, f"engagement/subscriptions/{template}.html", {**base, **context}, status=status))


def _json_body(request):
    return request.content_type == "application/json"


def _cors(response):
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _read(request):
    """The posted fields: a dict, or None when a JSON body is not an object."""
    if not _json_body(request):
        return request.POST
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])
def subscribe(request, owner, repo):
    repo_id = f"{owner}/{repo}"
    as_json = _json_body(request) or "application/json" in request.headers.get("Accept", "")
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))

    def fail(status, code, detail, errors=None, headers=None, form=None):
        if as_json:
            return _cors(json_error(status, code, detail, errors=errors, headers=headers))
        if status == 404:
            return _private(render(request, "engagement/not_found.html", {
                "title": "Page not found", "message": detail, "response_status": 404}, status=404))
        response = _page(request, "subscribe", repo_id, status=status, errors=errors or {"form": detail},
                         form=form or {})
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    try:
        subscriptions.changelog_require(repo_id)
    except services.NotFound:
        return fail(404, "not_found", "There is no public changelog here.")
    if request.method in ("GET", "HEAD"):
        return _page(request, "subscribe", repo_id, form={})
    data = _read(request)
    if data is None:
        return fail(400, "malformed_request", "Send a JSON object or a form.")
    if not _json_body(request) and request.headers.get("Sec-Fetch-Site") == "cross-site":
        return fail(403, "cross_site", "Subscribe from the changelog page, or send JSON.")
    if data.get(HONEYPOT):
        return _accepted(request, repo_id, as_json)
    try:
        preferences = subscriptions.preferences_parse(data, from_form=not _json_body(request))
        subscriptions.subscriber_subscribe(repo_id=repo_id, email=data.get("email"), preferences=preferences,
                                           ip_hash=privacy.ip_hash(request))
    except services.NotFound:
        return fail(404, "not_found", "There is no public changelog here.")
    except ValidationError as error:
        return fail(400, "invalid", "Some fields are invalid.", errors=error.errors, form=data)
    except RateLimited as error:
        return fail(429, "rate_limited", str(error.detail), headers=domain_error_headers(error), form=data)
    return _accepted(request, repo_id, as_json)


def _accepted(request, repo_id, as_json):
    """The same answer whether or not the address was subscribed already."""
    if as_json:
        return _cors(JsonResponse({"status": "pending", "detail": ACCEPTED}, status=202))
    return _page(request, "check_inbox", repo_id, status=202)


def _link_problem(request, problem):
    if problem.repo_id is None or not keys.REPO_NAME.match(problem.repo_id):
        return _private(render(request, "engagement/subscriptions/invalid_link.html", {"title": "This link is broken"},
                               status=PAGE_STATUS["invalid"]))
    return _page(request, "link_problem", problem.repo_id, status=PAGE_STATUS[problem.kind], kind=problem.kind,
                 form=_form_for(problem.email))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        if request.method == "POST":
            subscriber = subscriptions.subscriber_confirm(token=token)
            return _page(request, "confirmed", subscriber.repoId, email=subscriber.email,
                         preferences=subscriptions.subscriber_preferences(subscriber),
                         preferences_url=subscriptions.preferences_url(subscriber.repoId, subscriber.email))
        subscriber, preferences = subscriptions.confirm_check(token)
    except LinkProblem as problem:
        return _link_problem(request, problem)
    return _page(request, "confirm", subscriber.repoId, email=subscriber.email, preferences=preferences)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        if request.method == "POST":
            repo_id, email = subscriptions.subscriber_unsubscribe(token=token)
            return _page(request, "unsubscribed", repo_id, email=email, form=_form_for(email))
        repo_id, email, subscriber = subscriptions.subscriber_by_manage_token(token)
    except LinkProblem as problem:
        return _link_problem(request, problem)
    if subscriber is None:
        return _page(request, "unsubscribed", repo_id, email=email, form=_form_for(email))
    return _page(request, "unsubscribe", repo_id, email=email,
                 preferences_url=subscriptions.preferences_url(repo_id, email))


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    try:
        repo_id, email, subscriber = subscriptions.subscriber_by_manage_token(token)
    except LinkProblem as problem:
        return _link_problem(request, problem)
    if subscriber is None:
        return _page(request, "unsubscribed", repo_id, email=email, form=_form_for(email))
    current, errors, saved = subscriptions.subscriber_preferences(subscriber), {}, False
    if request.method == "POST":
        try:
            current = subscriptions.preferences_parse(request.POST, from_form=True)
            subscriptions.subscriber_preferences_update(token=token, preferences=current)
            saved = True
        except ValidationError as error:
            errors = error.errors
            current = {name: False for name in subscriptions.PREFERENCE_NAMES}
    return _page(request, "preferences", repo_id, status=400 if errors else 200, email=email, current=current,
                 errors=errors, saved=saved, confirmed=subscriptions.is_confirmed(subscriber),
                 unsubscribe_url=subscriptions.unsubscribe_url(repo_id, email))
