"""Reader-facing pages: the public changelog, entry permalinks, upvotes, sitemap; and the owner's
analytics page (branding is edited on the repository's settings page, ``github_sync.views``).

Thin: the public pages come from ``engagement.public_pages`` through the page cache (a stored body
in one round trip, the live counts and the entry's view in a second; templates render only on a
miss), upvotes from ``engagement.upvotes``, the analytics from ``engagement.services``. The
public views run on the lean middleware path (``changelog_site.lean``): no session, user,
messages or CSRF cookie, so every reader gets the same cacheable body.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import InvalidPage
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from changelog_site import front
from changelog_site.errors import domain_error_headers, json_error
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from changelog_site.links import safe_next
from changelog_site.ratelimit import RateLimited
from engagement import analytics_page, privacy, public_pages, services, upvotes
from engagement.page_cache import View
from engagement.read_model import NotFound
from engagement.sitemaps import ChangelogSitemap
from repos.models import Repo

# Pages always revalidate: a 304 costs two round trips and no rendering, counts stay fresh and
# every entry view is counted. Sitemaps change rarely and count nothing.
PAGE_CACHE_CONTROL = "public, no-cache"
SITEMAP_CACHE_CONTROL = "public, max-age=3600"
HTML = "text/html; charset=utf-8"


def _repo_id(owner, repo):
    repo_id = f"{owner}/{repo}"
    return repo_id if keys.REPO_NAME.match(repo_id) else None


def _friendly(request, status, title, message, repo_id=None):
    response = render(request, "engagement/not_found.html",
                      {"title": title, "message": message, "repo_id": repo_id, "response_status": status,
                       "home_url": public_pages.changelog_url(repo_id) if repo_id else None}, status=status)
    response["Cache-Control"] = "no-cache"
    return response


def _not_found(request, repo_id=None, message=None):
    return _friendly(request, 404, "Page not found",
                     message or "There is no public changelog here. Check the address, or the project "
                                "may have moved.", repo_id)


class _CacheSafeRequest:
    """The request as a template sees it while a body is rendered for the page cache: the same,
    except that ``csp_nonce`` is the body's nonce slot, filled with each response's own nonce."""

    def __init__(self, request, nonce):
        self._request = request
        self.csp_nonce = nonce

    def __getattr__(self, name):
        return getattr(self._request, name)


def _renderer(request, template):
    def render_page(context, nonce):
        return render_to_string(template, {**context, "request": _CacheSafeRequest(request, nonce)}, request=request)
    return render_page


def _nonce(request):
    return lambda: str(request.csp_nonce)


def respond(request, served, content_type, cache_control):
    """``served`` (a ``page_cache.Served``) as a response, or a 304 when the reader has it."""
    last_modified = int(served.last_modified.timestamp())
    response = get_conditional_response(request, etag=served.etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(served.body, content_type=content_type)
    response["ETag"] = served.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    return front.offer(response, served.front) if served.front is not None else response


@require_safe
def changelog(request, owner, repo):
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return _not_found(request)
    page = _renderer(request, "engagement/changelog.html")

    def render_changelog(context, nonce):
        context["entries_html"] = render_to_string("engagement/_entries.html", context)
        return page(context, nonce)

    try:
        served = public_pages.changelog_page(repo_id=repo_id, cursor=request.GET.get("cursor") or None,
                                             category=request.GET.get("category") or None,
                                             render=render_changelog, nonce=_nonce(request))
    except NotFound:
        return _not_found(request)
    except ValidationError:
        return _friendly(request, 400, "That link looks broken",
                         "The filter or page in this address is not one we know.", repo_id)
    return respond(request, served, HTML, PAGE_CACHE_CONTROL)


@require_safe
def entry(request, owner, repo, pr_id):
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return _not_found(request)
    # the front door may have counted this view before Redis failed it: count at most once
    view = None if request.META.get(front.FAILED) else View.for_reader(request, repo_id)
    try:
        served = public_pages.entry_page(repo_id=repo_id, pr_id=pr_id, view=view, nonce=_nonce(request),
                                         render=_renderer(request, "engagement/entry.html"))
    except NotFound:
        return _not_found(request, repo_id, "This entry is not on the changelog (or not any more).")
    return respond(request, served, HTML, PAGE_CACHE_CONTROL)


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
        result = upvotes.entry_upvote(repo_id=repo_id, pr_id=pr_id, ip_hash=privacy.ip_hash(request),
                                      voter_id=lambda entry_id: privacy.voter_id(request, entry_id))
    except NotFound as error:
        return fail(404, "not_found", str(error.detail))
    except RateLimited as error:
        return fail(429, "rate_limited", str(error.detail), headers=domain_error_headers(error))
    if as_json:
        return JsonResponse(result)
    target = safe_next(request, request.POST.get("next"), public_pages.entry_url(repo_id, pr_id))
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
        mine = [] if privacy.is_bot(request) else upvotes.entries_upvoted(
            repo_id=repo_id, pr_ids=pr_ids, voter_id=lambda entry_id: privacy.voter_id(request, entry_id))
    except NotFound:
        return json_error(404, "not_found", "There is no public changelog here.")
    response = JsonResponse({"upvoted": mine})
    response["Cache-Control"] = "private, no-store"
    return response


class _Site:
    """The site Django's sitemap names in its URLs: ``PUBLIC_BASE_URL``'s host, not the Sites table."""

    def __init__(self, netloc):
        self.domain = self.name = netloc


def _sitemap_renderer(repo_id, page):
    base = urlsplit(settings.PUBLIC_BASE_URL)

    def render_sitemap(links, last_modified):
        sitemap = ChangelogSitemap(repo_id, links, last_modified)
        if page is None and sitemap.paginator.num_pages > 1:
            location = f"{settings.PUBLIC_BASE_URL}{public_pages.changelog_url(repo_id)}sitemap.xml"
            pages = [SitemapIndexItem(f"{location}?p={number}", last_modified)
                     for number in sitemap.paginator.page_range]
            return render_to_string("sitemap_index.xml", {"sitemaps": pages})
        urls = sitemap.get_urls(page=page or 1, site=_Site(base.netloc), protocol=base.scheme)
        return render_to_string("sitemap.xml", {"urlset": urls})
    return render_sitemap


@require_safe
def sitemap(request, owner, repo):
    """``sitemap.xml``: the changelog page and every entry; past ``ChangelogSitemap.limit`` URLs a
    sitemap index of ``sitemap.xml?p=N`` pages (Django's sitemap paginator)."""
    repo_id = _repo_id(owner, repo)
    if repo_id is None:
        return _not_found(request)
    page = request.GET.get("p")
    if page is not None and (not page.isdigit() or int(page) < 1):
        return _not_found(request, repo_id, "There is no such sitemap page.")
    try:
        served = public_pages.sitemap(repo_id=repo_id, page=int(page) if page else None,
                                      render=_sitemap_renderer(repo_id, int(page) if page else None))
    except (NotFound, InvalidPage):
        return _not_found(request)
    return respond(request, served, "application/xml", SITEMAP_CACHE_CONTROL)


# --- the owner's analytics page -----------------------------------------------------------------

def _settings_url(repo_id):
    owner, name = repo_id.split("/", 1)
    return reverse("repo-sync-settings", kwargs={"owner": owner, "repo": name})


@login_required
@require_safe
def analytics(request):
    user_id = request.shiplog_user_id
    names = [repo.name for repo in Repo.for_user(user_id)]
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
            summary.update(most_viewed=analytics_page.with_links(summary["most_viewed"]),
                           most_upvoted=analytics_page.with_links(summary["most_upvoted"]))
            context.update(summary=summary, chart=analytics_page.analytics_chart_svg(summary["series"]),
                           public_url=services.changelog_url(repo_id, absolute=True),
                           settings_url=_settings_url(repo_id))
    response = render(request, "engagement/analytics.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response
