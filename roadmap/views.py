"""The public roadmap, its upvotes, and the voters' email links. Thin: every read
and write goes through ``roadmap.services`` / ``roadmap.votes`` / ``roadmap.watchers``."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from changelog_site.errors import domain_error_headers, json_error
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from changelog_site.ratelimit import RateLimited
from engagement import privacy
from engagement import services as engagement
from engagement.subscriptions import LinkProblem
from roadmap import services, votes, watchers
from roadmap.forms import UpvoteForm

COLUMNS = (("planned", "Planned"), ("in-progress", "In progress"), ("completed", "Shipped"))
NOTICES = {"voted": "Thanks for your vote!", "email": "Thanks! Check your inbox: confirm your address and we'll "
                                                       "email you once, when it ships."}
LINK_PROBLEMS = {"invalid": "This link is broken or was not made by us.",
                 "expired": "This link has expired. Leave your email on the roadmap again to get a new one.",
                 "used": "This link was already used, or the item is no longer on the roadmap."}


def _repo_id(owner, repo):
    repo_id = f"{owner}/{repo}"
    return repo_id if keys.REPO_NAME.match(repo_id) else None


def _friendly(request, status, title, message, repo_id=None, home_url=None):
    response = render(request, "engagement/not_found.html",
                      {"title": title, "message": message, "repo_id": repo_id, "response_status": status,
                       "home_url": home_url}, status=status)
    response["Cache-Control"] = "no-cache"
    return response


def _with_links(cards, repo_id):
    """The cards with the link of the changelog entry each shipped in."""
    return [dict(card, shippedIn=dict(card["shippedIn"], url=engagement.entry_url(repo_id, card["shippedIn"]["prId"])))
            if card["shippedIn"] else card for card in cards]


def _more_url(repo_id, status, cursor):
    return f"{services.roadmap_url(repo_id)}?{urlencode({'status': status, 'cursor': cursor})}#column-{status}"


@require_safe
def roadmap(request, owner, repo):
    """Each column shows its most voted items; "Show more" pages one column (``?status=&cursor=``)."""
    repo_id = _repo_id(owner, repo)
    paged, cursor = request.GET.get("status", ""), request.GET.get("cursor", "")
    try:
        if repo_id is None:
            raise services.NotFound()
        if (paged or cursor) and paged not in services.STATUSES:
            raise ValidationError({"status": "is not a roadmap column"})
        page = services.public_roadmap(repo_id=repo_id, cursors={paged: cursor} if cursor else None)
    except services.NotFound:
        return _friendly(request, 404, "Page not found", "There is no public roadmap here. Check the address, or "
                                                         "the project may have moved.")
    except ValidationError:
        return _friendly(request, 400, "That link looks broken", "This part of the roadmap is not one we know.",
                         repo_id, services.roadmap_url(repo_id))
    notice = NOTICES.get(request.GET.get("done", ""))
    etag = f'"{page["etag"]}"'
    if not notice:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
    columns = [{"status": status, "label": label, "cards": _with_links(page["columns"][status], repo_id),
                "total": page["counts"][status], "paged": bool(cursor) and status == paged,
                "more_url": _more_url(repo_id, status, page["more"][status]) if page["more"][status] else None}
               for status, label in COLUMNS]
    changelog_url = engagement.changelog_url(repo_id)
    response = render(request, "roadmap/public.html", dict(
        page, columns=columns, notice=notice, roadmap_url=services.roadmap_url(repo_id),
        canonical_url=services.roadmap_url(repo_id, absolute=True), changelog_url=changelog_url, home_url=changelog_url))
    response["Cache-Control"] = "public, no-cache"  # always revalidate: cheap 304s, fresh counts
    if not notice:
        response["ETag"] = etag
    return response


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"


@csrf_exempt  # cookieless, anonymous and idempotent per reader; cross-site posts are refused below
@require_http_methods(["POST"])
def upvote(request, owner, repo, issue_id):
    as_json = _wants_json(request)
    repo_id = _repo_id(owner, repo)
    back = services.roadmap_url(repo_id) if repo_id else None

    def fail(status, code, detail, headers=None, errors=None):
        if as_json:
            return json_error(status, code, detail, errors=errors, headers=headers)
        response = _friendly(request, status, "Could not count your upvote", detail, repo_id, back)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    if repo_id is None:
        return fail(404, "not_found", "This item is not on the roadmap.")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return fail(403, "cross_site", "Upvotes are accepted from the roadmap page only.")
    if privacy.is_bot(request):
        return fail(403, "bot", "Automated clients cannot upvote.")
    voter = UpvoteForm(request.POST)
    if not voter.is_valid():
        return fail(400, "invalid_email", "That email address does not look right.",
                    errors={name: " ".join(problems) for name, problems in voter.errors.items()})
    email = voter.cleaned_data["email"]
    try:
        result = votes.item_upvote(repo_id=repo_id, issue_id=issue_id, ip_hash=privacy.ip_hash(request), email=email,
                                   voter_id=lambda roadmap_id: privacy.voter_id(request, roadmap_id))
    except services.NotFound as error:
        return fail(404, "not_found", str(error.detail))
    except RateLimited as error:
        return fail(429, "rate_limited", str(error.detail), headers=domain_error_headers(error))
    except ValidationError as error:
        return fail(400, "invalid_email", "That email address does not look right.", errors=error.errors)
    if as_json:
        return JsonResponse(result)
    done = "email" if result["emailPending"] else "voted"
    return HttpResponseRedirect(f"{back}?done={done}#item-{issue_id}", status=303)


@require_safe
def upvoted(request, owner, repo):
    """``GET …/upvoted/?pr=12&pr=15``: ``{"upvoted": [12]}``, the items (by issue number: the parameter
    is named as the shared upvote script sends it) this reader upvoted. Cookieless, like the vote."""
    repo_id = _repo_id(owner, repo)
    try:
        issue_ids = [int(value) for value in request.GET.getlist("pr")]
    except ValueError:
        return json_error(400, "invalid", "Give the items as pr=<issue number>.", errors={"pr": "must be integers"})
    try:
        if repo_id is None:
            raise services.NotFound()
        mine = [] if privacy.is_bot(request) else votes.items_upvoted(
            repo_id=repo_id, issue_ids=issue_ids, voter_id=lambda roadmap_id: privacy.voter_id(request, roadmap_id))
    except services.NotFound:
        return json_error(404, "not_found", "There is no public roadmap here.")
    response = JsonResponse({"upvoted": mine})
    response["Cache-Control"] = "private, no-store"
    return response


def _link_page(request, template, token, check, act):
    """GET shows a button (link scanners only GET); POST acts. Both answer a page in the repository's branding."""
    try:
        item, email = check(token)
    except LinkProblem as problem:
        return _friendly(request, 400 if problem.kind == "invalid" else 410, "This link cannot be used",
                         LINK_PROBLEMS[problem.kind])
    done = request.method == "POST"
    if done:
        item, email = act(token=token)
    context = {"item": item, "email": email, "done": done}
    if item is not None:
        context.update(branding=engagement.branding_get(repo_id=item.repoId),
                       home_url=engagement.changelog_url(item.repoId), roadmap_url=services.roadmap_url(item.repoId))
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # the signed, single-use token is the proof; the page may be opened on another device
@require_http_methods(["GET", "HEAD", "POST"])
def watch_confirm(request, token):
    return _link_page(request, "roadmap/watch_confirm.html", token, lambda t: watchers.confirm_check(t)[:2],
                      watchers.watch_confirm)


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a CSRF token; the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def watch_stop(request, token):
    return _link_page(request, "roadmap/watch_stop.html", token, watchers.stop_check, watchers.watch_stop)
