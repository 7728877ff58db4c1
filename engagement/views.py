"""Reader-facing pages: the public changelog, entry permalinks, upvotes, sitemap; and the owner's
analytics page (branding is edited on the repository's settings page, ``github_sync.views``).
Thin: every read and write goes through ``engagement.services``."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from changelog_site.errors import json_error
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from changelog_site.links import safe_next
from changelog_site.ratelimit import RateLimited
from engagement import privacy, services
from engagement.sitemaps import ChangelogSitemap
from repos.models import Repo

PAGE_CACHE_CONTROL = "public, no-cache"  # always revalidate: cheap 304s, fresh counts, every view counted


def _repo_id(owner, repo):
    repo_id = f"{owner}/{repo}"
    return repo_id if keys.REPO_NAME.match(repo_id) else None


def _friendly(request, status, title, message, repo_id=None):
    response = render(request, "engagement/not_found.html",
                      {"title": title, "message": message, "repo_id": repo_id, "response_status": status,
                       "home_url": services.changelog_url(repo_id) if repo_id else None}, status=status)
    response["Cache-Control"] = "no-cache"
    return response


def _not_found(request, repo_id=None, message=None):
    return _friendly(request, 404, "Page not found",
                     message or "There is no public changelog here. Check the address, or the project "
                                "may have moved.", repo_id)


def _validators(response, page):
    response["ETag"] = f'"{page.etag}"'
    response["Last-Modified"] = http_date(page.last_modified.timestamp())
    response["Cache-Control"] = PAGE_CACHE_CONTROL
    return response


def _not_modified(request, page):
    response = get_conditional_response(request, etag=f'"{page.etag}"',
                                        last_modified=int(page.last_modified.timestamp()))
    return _validators(response, page) if response is not None else None


@require_safe
def changelog(request, owner, repo):
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return _not_found(request)
    try:
        page = services.changelog_page(repo_id=repo_id, cursor=request.GET.get("cursor") or None,
                                       category=request.GET.get("category") or None)
    except services.NotFound:
        return _not_found(request)
    except ValidationError:
        return _friendly(request, 400, "That link looks broken",
                         "The filter or page in this address is not one we know.", repo_id)
    not_modified = _not_modified(request, page)
    if not_modified:
        return not_modified
    context = page.context()
    context["entries_html"] = page.entries_html(
        lambda ctx: render_to_string("engagement/_entries.html", ctx, request=request))
    return _validators(render(request, "engagement/changelog.html", context), page)


@require_safe
def entry(request, owner, repo, pr_id):
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return _not_found(request)
    try:
        page = services.changelog_entry(repo_id=repo_id, pr_id=pr_id)
    except services.NotFound:
        return _not_found(request, repo_id, "This entry is not on the changelog (or not any more).")
    if request.method == "GET" and not privacy.is_bot(request):
        services.page_view_record(entry_id=page.entry_id, visitor_id=privacy.visitor_id(request),
                                  ip_hash=privacy.ip_hash(request))
    return _not_modified(request, page) or _validators(
        render(request, "engagement/entry.html", page.context()), page)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"


@csrf_exempt  # cookieless, anonymous and idempotent per reader; cross-site posts are refused below
@require_http_methods(["POST"])
def upvote(request, owner, repo, pr_id):
    as_json = _wants_json(request)
    repo_id = _repo_id(owner, repo)

    def fail(status, code, detail, headers=None):
        if as_json:
            return json_error(status, code, detail, headers=headers)
        response = _friendly(request, status, "Could not count your upvote", detail, repo_id)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    if repo_id is None:
        return fail(404, "not_found", "This entry is not on the changelog.")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return fail(403, "cross_site", "Upvotes are accepted from the changelog page only.")
    if privacy.is_bot(request):
        return fail(403, "bot", "Automated clients cannot upvote.")
    try:
        result = services.entry_upvote(repo_id=repo_id, pr_id=pr_id, ip_hash=privacy.ip_hash(request),
                                       voter_id=lambda entry_id: privacy.voter_id(request, entry_id))
    except services.NotFound as error:
        return fail(404, "not_found", str(error.detail))
    except RateLimited as error:
        return fail(429, "rate_limited", str(error.detail), headers=error.headers)
    if as_json:
        return JsonResponse(result)
    target = safe_next(request, request.POST.get("next"), services.entry_url(repo_id, pr_id))
    path = urlsplit(target)
    target = path.path + (f"?{path.query}" if path.query else "") + f"#entry-{pr_id}"
    return HttpResponseRedirect(target, status=303)


@require_safe
def upvoted(request, owner, repo):
    """``GET …/upvoted/?pr=142&pr=145``: ``{"upvoted": [142]}``, the entries among these that this
    reader upvoted (cookieless: the same per-entry voter id the upvote used), for the page's JS."""
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return json_error(404, "not_found", "There is no public changelog here.")
    try:
        pr_ids = [int(value) for value in request.GET.getlist("pr")]
    except ValueError:
        return json_error(400, "invalid", "Give the entries as pr=<PR number>.", errors={"pr": "must be integers"})
    try:
        mine = [] if privacy.is_bot(request) else services.entries_upvoted(
            repo_id=repo_id, pr_ids=pr_ids, voter_id=lambda entry_id: privacy.voter_id(request, entry_id))
    except services.NotFound:
        return json_error(404, "not_found", "There is no public changelog here.")
    response = JsonResponse({"upvoted": mine})
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def sitemap(request, owner, repo):
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return _not_found(request)
    try:
        page, context = services.changelog_feed_items(repo_id=repo_id, limit=50000)
    except services.NotFound:
        return _not_found(request)
    base = urlsplit(settings.PUBLIC_BASE_URL)
    site = SimpleNamespace(domain=base.netloc, name=base.netloc)
    urls = ChangelogSitemap(repo_id, context["entries"], page.last_modified).get_urls(site=site, protocol=base.scheme)
    response = render(request, "sitemap.xml", {"urlset": urls}, content_type="application/xml")
    return _validators(response, page)


# --- the owner's analytics page -----------------------------------------------------------------

def _shiplog_user_id(user):
    account = getattr(user, "account", None)
    return getattr(account, "shiplog_user_id", None)


def _settings_url(repo_id):
    owner, name = repo_id.split("/", 1)
    return reverse("repo-sync-settings", kwargs={"owner": owner, "repo": name})


@login_required
@require_safe
def analytics(request):
    user_id = _shiplog_user_id(request.user)
    names = [repo.name for repo in Repo.for_user(user_id)] if user_id else []
    repo_id = request.GET.get("repo") or (names[0] if names else None)
    if repo_id and not keys.REPO_NAME.match(repo_id):
        return _friendly(request, 404, "Not your repository", "You have not connected this repository.")
    context = {"title": "Analytics", "repos": names, "repo_id": repo_id, "summary": None, "error": None}
    status = 200
    if repo_id:
        try:
            start, end = services.parse_range(request.GET.get("start"), request.GET.get("end"))
            summary = services.analytics_summary(user_id=user_id, repo_id=repo_id, start=start, end=end)
        except services.NotFound:
            return _friendly(request, 404, "Not your repository", "You have not connected this repository.")
        except ValidationError as error:
            context["error"] = "; ".join(error.errors.values())
            status = 400
        else:
            context.update(summary=summary, chart=mark_safe(services.analytics_chart_svg(summary["series"])),
                           public_url=services.changelog_url(repo_id, absolute=True),
                           settings_url=_settings_url(repo_id))
    response = render(request, "engagement/analytics.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response
