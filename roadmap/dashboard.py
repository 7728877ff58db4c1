"""The owner's Roadmap page in the dashboard: items by column with counts, move or hide an item,
the roadmap rules of a repository, and "Sync from GitHub" with its progress. Thin: every read and
write goes through ``roadmap.services`` / ``roadmap.importer``; moving and hiding also work
through ``PATCH /api/roadmap/{roadmapId}/`` (static/shiplog/roadmap-dashboard.js)."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from changelog_site.domain import DomainError
from changelog_site.errors import json_error
from changelog_site.kv.records import ValidationError
from engagement import services as engagement
from repos.github import GitHubError
from repos.models import Repo
from roadmap import importer, services
from roadmap.forms import ItemForm, RepoForm, RulesForm
from roadmap.tasks import sync_task
from roadmap.views import COLUMNS

log = logging.getLogger(__name__)
WRITE_BACK_CHOICES = (("off", "Off"), ("label", "As a label on the issue (“roadmap votes: 12”)"),
                      ("comment", "As one comment on the issue, kept up to date"))
PROGRESS_FIELDS = ("state", "page", "pages", "seen", "created", "updated", "removed", "checked", "error",
                   "startedAt", "finishedAt")


def page_url(repo_id=None, anchor=""):
    url = reverse("dashboard-roadmap") + (f"?{urlencode({'repo': repo_id})}" if repo_id else "")
    return url + (f"#{anchor}" if anchor else "")


def _not_found(request, detail="You have not connected this repository."):
    return render(request, "error.html", {"title": "Not found", "error": {"detail": detail}}, status=404)


def _connected(request, form):
    """The user's id and the repository record ``form`` names, or ``(user_id, None)``."""
    user_id = request.shiplog_user_id
    form.is_valid()
    repo_id = form.cleaned_data.get("repo", "")
    return user_id, (Repo.get(user_id, repo_id) if repo_id and ":" not in repo_id else None)


def _rules_form(rules):
    return {"labelFilter": rules.label_filter, "plannedLabels": ", ".join(rules.planned_labels),
            "inProgressLabels": ", ".join(rules.in_progress_labels),
            "completedLabels": ", ".join(rules.completed_labels), "writeBack": rules.write_back}


@login_required
@require_safe
def roadmap_page(request):
    user_id = request.shiplog_user_id
    names = [repo.name for repo in Repo.for_user(user_id)]
    picked = RepoForm(request.GET)
    repo_id = (picked.cleaned_data["repo"] if picked.is_valid() else None) or (names[0] if names else None)
    if repo_id and repo_id not in names:
        return _not_found(request)
    context = {"title": "Roadmap", "repos": names, "repo_id": repo_id, "columns": [], "off": None}
    if repo_id:
        repo = Repo.get(user_id, repo_id)
        paged, cursor = request.GET.get("status", ""), request.GET.get("cursor", "")
        try:
            if cursor and paged not in services.COLUMNS:
                raise ValidationError({"status": "is not a roadmap column"})
            board = services.owned_columns(user_id=user_id, repo_id=repo_id,
                                           cursors={paged: cursor} if cursor else None)
        except ValidationError:
            return render(request, "error.html", {"title": "Broken link", "error": {
                "detail": "This page of the roadmap is not one we know."}}, status=400)

        def column(status, label):
            more = board[status]["next"]
            more_url = f"{page_url(repo_id)}&{urlencode({'status': status, 'cursor': more})}" if more else None
            return dict(board[status], status=status, label=label, paged=bool(cursor) and paged == status,
                        more_url=more_url)

        context["columns"] = [column(status, label) for status, label in COLUMNS]
        context.update(
            off=column("off", "Off the roadmap"), statuses=COLUMNS, writeback_choices=WRITE_BACK_CHOICES,
            page_url=page_url(repo_id),
            rules=_rules_form(services.settings_get(user_id=user_id, github_repo_id=repo.githubRepoId)),
            progress=importer.sync_progress(github_repo_id=repo.githubRepoId),
            public_url=services.roadmap_url(repo_id), public_owner=services.public_owner(repo_id) == user_id,
            changelog_url=engagement.changelog_url(repo_id))
    response = render(request, "roadmap/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def roadmap_sync(request):
    _, repo = _connected(request, RepoForm(request.POST))
    if repo is None:
        return _not_found(request)
    repo_id = repo.name
    try:
        sync_task.delay(repo_id)
    except DomainError as error:
        messages.error(request, error.detail)
    except (importer.SyncError, GitHubError) as error:  # eager Celery (no worker) runs it right here
        messages.error(request, f"Syncing {repo_id} failed: {error}")
    except Exception:  # the broker being unreachable must not become a 500
        log.exception("could not start the roadmap sync of %s", repo_id)
        messages.error(request, "The sync could not be started; try again shortly.")
    else:
        messages.success(request, f"Syncing the issues of {repo_id}: items appear as they arrive.")
    return HttpResponseRedirect(page_url(repo_id))


@login_required
@require_GET
def roadmap_sync_progress(request):
    _, repo = _connected(request, RepoForm(request.GET))
    if repo is None:
        return json_error(404, "not_found", "No such repository.")
    progress = importer.sync_progress(github_repo_id=repo.githubRepoId)
    return JsonResponse({name: progress.get(name, "") for name in PROGRESS_FIELDS})


@login_required
@require_POST
def roadmap_settings(request):
    form = RulesForm(request.POST)
    user_id, repo = _connected(request, form)
    if repo is None:
        return _not_found(request)
    repo_id = repo.name
    if form.errors:
        messages.error(request, "Not saved: " + "; ".join(f"{name} is too long" for name in form.errors))
        return HttpResponseRedirect(page_url(repo_id, "rules"))
    try:
        services.settings_update(user_id=user_id, repo_id=repo_id, **form.changes())
    except ValidationError as error:
        problems = "; ".join(f"{name} {problem}" for name, problem in error.errors.items())
        messages.error(request, f"Not saved: {problems}")
    else:
        messages.success(request, "Roadmap rules saved. They apply to issue events from now on; sync to apply "
                                  "them to every open issue now.")
    return HttpResponseRedirect(page_url(repo_id, "rules"))


@login_required
@require_POST
def roadmap_item(request, roadmap_id):
    """The no-JS form behind the card's controls: ``status`` and/or ``hidden`` ("1" or "0")."""
    form = ItemForm(request.POST)
    form.is_valid()  # a field that is not valid is left out (an unknown column is the service's to refuse)
    status, hidden = form.cleaned_data.get("status") or None, form.cleaned_data.get("hidden")
    try:
        owned = services.item_update(user_id=request.shiplog_user_id, roadmap_id=roadmap_id,
                                     status=status, hidden=hidden)
    except services.NotFound:
        return _not_found(request, "No such roadmap item.")
    except ValidationError:
        messages.error(request, "That is not a roadmap column.")
        return HttpResponseRedirect(page_url())
    messages.success(request, f"#{owned.item.issueId} {'hidden' if owned.hidden else 'saved'}.")
    return HttpResponseRedirect(page_url(owned.item.repoId, f"item-{owned.item.id}"))
