"""Dashboard actions of the GitHub sync: "Import past PRs" on the Repositories page and its progress."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from changelog_site.domain import DomainError
from changelog_site.errors import json_error
from engagement import services as engagement
from github_sync.backfill_status import backfill_status
from github_sync.forms import BrandingForm, RulesForm
from github_sync.services import backfill
from github_sync.services.rules import sync_settings_get, sync_settings_update
from github_sync.tasks import backfill_task
from repos.models import Repo

log = logging.getLogger(__name__)


@login_required
@require_POST
def import_past_prs(request, owner, repo):
    """Queue "Import past PRs" and say so; what would stop it at once (no GitHub token) is said
    here, and a later failure reaches the page through the progress it records."""
    name = f"{owner}/{repo}"
    user_id = request.shiplog_user_id
    if Repo.get(user_id, name) is None:
        raise Http404(f"{name} is not one of your repositories.")
    status = backfill_status(repo_name=name)
    if status["state"] == "running" or (status["state"] == "queued" and not status["stale"]):
        messages.info(request, f"Past pull requests of {name} are already being imported.")
        return redirect("repositories")
    try:
        backfill.backfill_check(repo_name=name)
    except DomainError as error:
        backfill.backfill_failed(repo_name=name, code=error.code, detail=error.detail)
        messages.error(request, format_html('Importing {} cannot start: {} <a href="{}#github">Connect GitHub in '
                                           'Settings</a>, then import again.', name, error.detail, reverse("settings")))
        return redirect("repositories")
    backfill.backfill_queued(repo_name=name)
    try:
        backfill_task.delay(name)
    except DomainError as error:
        messages.error(request, f"Importing {name} failed: {error.detail}")
    except backfill.BackfillError as error:  # eager Celery (no worker) runs it right here
        messages.error(request, f"Importing {name} failed: {error}")
    except Exception:  # the broker being unreachable must not become a 500
        log.exception("could not start the backfill of %s", name)
        backfill.backfill_failed(repo_name=name, code="queue_unavailable", detail="the import could not be queued.")
        messages.error(request, "The import could not be started; try again shortly.")
    else:
        messages.info(request, f"Import of {name} queued: new drafts appear in Drafts as they arrive; "
                               "its progress shows below.")
    return redirect("repositories")


@login_required
@require_GET
def import_progress(request, owner, repo):
    """The import's progress as JSON (``github_sync.backfill_status``): state, numbers, a message and,
    after a failure, what to do (``actionLabel``/``actionUrl``)."""
    name = f"{owner}/{repo}"
    if Repo.get(request.shiplog_user_id, name) is None:
        return json_error(404, "not_found", "No such repository.")
    response = JsonResponse(backfill_status(repo_name=name))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def sync_settings(request, owner, repo):
    """The repository's settings page: its public changelog branding (shared by everyone who
    connected it) and this user's draft rules (skip label, bots, category rules). Each section
    is its own form, told apart by ``section``."""
    name = f"{owner}/{repo}"
    user_id = request.shiplog_user_id
    record = Repo.get(user_id, name)
    if record is None:
        return render(request, "error.html", {"title": "Not found", "error": {"detail": "No such repository."}},
                      status=404)
    section = ("branding" if request.POST.get("section") == "branding" else "rules") \
        if request.method == "POST" else None
    rules_form = RulesForm(request.POST if section == "rules" else None,
                           initial=RulesForm.initial_for(sync_settings_get(user_id=user_id,
                                                                           github_repo_id=record.githubRepoId)))
    branding_form = BrandingForm(request.POST if section == "branding" else None,
                                 initial=BrandingForm.initial_for(engagement.branding_get(repo_id=name)))
    if section == "branding" and branding_form.is_valid() \
            and branding_form.save(engagement.branding_update, user_id=user_id, repo_id=name) is not None:
        messages.success(request, f"Branding of {name}'s public changelog saved.")
    elif section == "rules" and rules_form.is_valid() \
            and rules_form.save(sync_settings_update, user_id=user_id, github_repo_id=record.githubRepoId) is not None:
        messages.success(request, f"Rules for {record.name} saved; they apply to pull requests merged from now on.")
    else:
        return render(request, "github_sync/sync_settings.html", {
            "title": f"{name}: settings", "repo": record, "form": rules_form, "branding": branding_form,
            "errors": rules_form.first_errors(), "branding_errors": branding_form.first_errors(),
            "public_url": engagement.changelog_url(name)})
    return HttpResponseRedirect(reverse("repo-sync-settings", kwargs={"owner": owner, "repo": repo}) + "#" + section)
