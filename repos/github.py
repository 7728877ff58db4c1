"""The GitHub REST calls onboarding needs: list the user's repositories, read one, manage its webhook.

Every call goes to ``settings.GITHUB_API_URL`` through the shared HTTP session
(``changelog_site.http``: ``HTTP_TIMEOUT``, reads and deletes retried on 429/5xx, creating a
hook never repeated), and every failure becomes a ``GitHubError`` carrying a message a user can
act on. Tokens are only ever put in the Authorization header; they never appear in a message or
a log line.
"""

import json
import logging
from datetime import datetime, timezone
from urllib.parse import urlencode

import requests
from django.conf import settings

from changelog_site import http
from changelog_site.kv import client as kv
from changelog_site.kv import keys

log = logging.getLogger(__name__)

HOOK_EVENTS = ["pull_request", "issues", "release", "repository"]
PAGE_CACHE_SECONDS = 24 * 3600
MAX_PAGES = 50


class GitHubError(Exception):
    """``kind`` is one of ``unauthorized``, ``forbidden``, ``rate_limited``, ``not_found``,
    ``hook_exists``, ``unprocessable``, ``unavailable``; ``retry_after`` is in seconds or None."""

    def __init__(self, kind, message, status=None, retry_after=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after


def webhook_url():
    return f"{settings.PUBLIC_BASE_URL}/api/github/sync"


def _headers(token, etag=None):
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    if etag:
        headers["If-None-Match"] = etag
    return headers


def _url(path):
    return f"{settings.GITHUB_API_URL}{path}"


def _seconds_until_reset(response):
    """GitHub's order: ``Retry-After`` when it is given (secondary limits), else until
    ``X-RateLimit-Reset``, else a minute."""
    retry_after = response.headers.get("Retry-After")
    if retry_after and retry_after.isdigit():
        return int(retry_after)
    reset = response.headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit():
        return max(1, int(reset) - int(datetime.now(timezone.utc).timestamp()))
    return 60


def _error_for(response):
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    message = str(body.get("message", ""))
    if status == 401:
        return GitHubError("unauthorized", "GitHub no longer accepts your saved token. Reconnect GitHub in Settings "
                           "(or paste a new personal access token).", status)
    rate_limited = response.headers.get("X-RateLimit-Remaining") == "0" or "rate limit" in message.lower() \
        or bool(response.headers.get("Retry-After"))
    if status == 429 or (status == 403 and rate_limited):
        wait = _seconds_until_reset(response)
        return GitHubError("rate_limited", f"GitHub's API rate limit for your account is used up; it resets in "
                           f"about {max(1, round(wait / 60))} minute(s).", status, retry_after=wait)
    if status == 403:
        return GitHubError("forbidden", "GitHub refused: your token lacks the permission for this (it needs the "
                           "'repo' and 'admin:repo_hook' scopes, and admin rights on the repository).", status)
    if status == 404:
        return GitHubError("not_found", "GitHub has no such repository, or your token cannot see it.", status)
    if status == 422:
        details = " ".join(str(error.get("message", "")) for error in body.get("errors") or []
                           if isinstance(error, dict))
        if "already exists" in details:
            return GitHubError("hook_exists", "The webhook already exists on this repository.", status)
        return GitHubError("unprocessable", f"GitHub rejected the request: {message or 'unprocessable'}.", status)
    return GitHubError("unavailable", f"GitHub answered {status}; try again in a minute.", status, retry_after=60)


def _request(method, url, token, **kwargs):
    try:
        response = http.session_shared("github").request(
            method, url, headers=_headers(token, kwargs.pop("etag", None)), **kwargs)
    except requests.Timeout as error:
        raise GitHubError("unavailable", "GitHub did not answer in time; try again in a minute.",
                          retry_after=30) from error
    except requests.RequestException as error:
        log.warning("GitHub request %s %s failed: %s", method, url, type(error).__name__)
        raise GitHubError("unavailable", "Could not reach GitHub; try again in a minute.", retry_after=30) from error
    if response.status_code >= 400:
        raise _error_for(response)
    return response


def is_api_url(url):
    """Whether ``url`` is under ``GITHUB_API_URL`` (a ``Link`` header's page may be followed with the token)."""
    return url.startswith(settings.GITHUB_API_URL + "/")


def request(method, path_or_url, token, **kwargs):
    """One call to the API: ``path_or_url`` is a path under ``GITHUB_API_URL`` or a full URL of
    ours (a ``Link`` header's next page). Returns the response; raises ``GitHubError``."""
    url = path_or_url if is_api_url(path_or_url) else _url(path_or_url)
    return _request(method, url, token, **kwargs)


def get_all_pages(path, token, params=None, cache_owner=None):
    """Every item of a paginated list, following ``Link: rel="next"``.

    With ``cache_owner`` (a userId), each page's ETag and body are kept in that user's
    ``cache:github-pages`` hash and sent back as ``If-None-Match``; a 304 reuses the body.
    """
    url = _url(path) + (f"?{urlencode(params)}" if params else "")
    cache_key = keys.cache_github_pages(cache_owner) if cache_owner else None
    client = kv.get_client()
    items = []
    for _ in range(MAX_PAGES):
        cached = json.loads(client.hget(cache_key, url) or "null") if cache_key else None
        response = _request("GET", url, token, etag=cached["etag"] if cached else None)
        if response.status_code == 304 and cached:
            body = cached["body"]
        else:
            body = response.json()
            etag = response.headers.get("ETag")
            if cache_key and etag:
                with kv.atomic() as pipe:
                    pipe.hset(cache_key, url, json.dumps({"etag": etag, "body": body}))
                    pipe.expire(cache_key, PAGE_CACHE_SECONDS)
        items.extend(body)
        next_url = response.links.get("next", {}).get("url")
        if not next_url or not is_api_url(next_url):
            break
        url = next_url
    return items


def list_repositories(token, user_id=None):
    """The repositories the token's owner can see, each reduced to what onboarding shows."""
    repositories = get_all_pages("/user/repos", token, {"per_page": 100, "sort": "full_name"}, cache_owner=user_id)
    return [summarize(repository) for repository in repositories]


def summarize(repository):
    permissions = repository.get("permissions") or {}
    return {
        "githubRepoId": repository["id"],
        "name": repository["full_name"],
        "isPrivate": bool(repository.get("private")),
        "description": repository.get("description") or "",
        "canAdmin": bool(permissions.get("admin")),
        "htmlUrl": repository.get("html_url") or "",
    }


def get_authenticated_login(token):
    return _request("GET", _url("/user"), token).json()["login"]


def get_repository(token, name):
    return summarize(_request("GET", _url(f"/repos/{name}"), token).json())


def create_hook(token, name, secret):
    """Create the repository webhook; returns its id. An existing hook of ours is reused
    (GitHub answers 422 "Hook already exists"): its configuration is updated to ``secret``."""
    config = {"url": webhook_url(), "content_type": "json", "secret": secret, "insecure_ssl": "0"}
    try:
        response = _request("POST", _url(f"/repos/{name}/hooks"), token,
                            json={"name": "web", "active": True, "events": HOOK_EVENTS, "config": config})
        return response.json()["id"]
    except GitHubError as error:
        if error.kind != "hook_exists":
            raise
    hook_id = find_hook(token, name)
    if hook_id is None:
        raise GitHubError("unprocessable", "GitHub says the webhook exists but it is not listed; try again.", 422)
    _request("PATCH", _url(f"/repos/{name}/hooks/{hook_id}"), token,
             json={"active": True, "events": HOOK_EVENTS, "config": config})
    return hook_id


def find_hook(token, name):
    for hook in get_all_pages(f"/repos/{name}/hooks", token, {"per_page": 100}):
        if (hook.get("config") or {}).get("url") == webhook_url():
            return hook["id"]
    return None


def delete_hook(token, name, hook_id):
    """Delete the webhook; one already gone (404) counts as deleted."""
    try:
        _request("DELETE", _url(f"/repos/{name}/hooks/{hook_id}"), token)
    except GitHubError as error:
        if error.kind != "not_found":
            raise
