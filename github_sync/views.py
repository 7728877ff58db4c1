"""Dashboard actions of the GitHub sync: "Import past PRs" on the Repositories page and its progress."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.services import shiplog_user_id
from changelog_site.errors import ApiError, json_error
from github_sync import services
from github_sync.tasks import backfill_task
from repos.models import Repo

log = logging.getLogger(__name__)


@login_required
@require_POST
def import_past_prs(request, owner, repo):
    name = f"{owner}/{repo}"
    user_id = shiplog_user_id(request.user, request)
    if Repo.get(user_id, name) is None:
        messages.error(request, f"{name} is not one of your repositories.")
        return redirect("repositories")
    if services.backfill_progress(repo_name=name).get("state") == "running":
        messages.info(request, f"Past pull requests of {name} are already being imported.")
        return redirect("repositories")
    try:
        backfill_task.delay(name)
    except ApiError as error:
        messages.error(request, error.detail)
    except services.BackfillError as error:  # eager Celery (no worker) runs it right here
        messages.error(request, f"Importing {name} failed: {error}")
    except Exception:  # the broker being unreachable must not become a 500
        log.exception("could not start the backfill of %s", name)
        messages.error(request, "The import could not be started; try again shortly.")
    else:
        messages.success(request, f"Importing merged pull requests of {name}: drafts appear as they arrive.")
    return redirect("repositories")


@login_required
@require_GET
def import_progress(request, owner, repo):
    name = f"{owner}/{repo}"
    if Repo.get(shiplog_user_id(request.user, request), name) is None:
        return json_error(404, "not_found", "No such repository.")
    progress = services.backfill_progress(repo_name=name)
    return JsonResponse({key: progress.get(key, "") for key in
                         ("state", "page", "pages", "seen", "merged", "created", "error", "startedAt", "finishedAt")})
