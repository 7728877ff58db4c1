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
from changelog_site.kv.records import ValidationError
from engagement import services as engagement
from github_sync.backfill_status import backfill_status
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


def _rule_lines(rules):
    return "\n".join(f"{name} = {category}" for name, category in (rules or {}).items())


def _rules_form(row):
    rules = row.category_rules if isinstance(row.category_rules, dict) else {}
    return {"skip_label": row.skip_label, "skip_bots": row.skip_bots, "bot_patterns": row.bot_patterns,
            "label_rules": _rule_lines(rules.get("labels")), "prefix_rules": _rule_lines(rules.get("prefixes"))}


def _branding_form(branding):
    return {"name": branding["name"] if branding["custom"] else "", "logoUrl": branding["logoUrl"],
            "accentColor": branding["accentColor"]}


def _save_branding(user_id, name, post):
    engagement.branding_update(user_id=user_id, repo_id=name, name=post.get("name"),
                               logo_url=post.get("logoUrl"), accent_color=post.get("accentColor"))
    return f"Branding of {name}'s public changelog saved."


def _save_rules(user_id, record, post):
    sync_settings_update(
        user_id=user_id, github_repo_id=record.githubRepoId, skip_label=post.get("skip_label", ""),
        skip_bots=post.get("skip_bots") == "on", bot_patterns=post.get("bot_patterns", ""),
        label_rules=post.get("label_rules", ""), prefix_rules=post.get("prefix_rules", ""))
    return f"Rules for {record.name} saved; they apply to pull requests merged from now on."


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
    errors = {}
    if section:
        try:
            if section == "branding":
                notice = _save_branding(user_id, name, request.POST)
            else:
                notice = _save_rules(user_id, record, request.POST)
        except ValidationError as error:
            errors = error.errors
        else:
            messages.success(request, notice)
            return HttpResponseRedirect(reverse("repo-sync-settings", kwargs={"owner": owner, "repo": repo})
                                        + "#" + section)
    rules_form = request.POST if errors and section == "rules" else \
        _rules_form(sync_settings_get(user_id=user_id, github_repo_id=record.githubRepoId))
    branding_form = request.POST if errors and section == "branding" else \
        _branding_form(engagement.branding_get(repo_id=name))
    return render(request, "github_sync/sync_settings.html", {
        "title": f"{name}: settings", "repo": record, "form": rules_form, "branding": branding_form,
        "errors": errors if section == "rules" else {}, "branding_errors": errors if section == "branding" else {},
        "skip_bots": rules_form.get("skip_bots") in (True, "on"),
        "public_url": engagement.changelog_url(name)})
