"""Dashboard actions of "Shipped in" on GitHub (docs/github-loop.md): the repository's settings
("On GitHub" on its settings page) and "Post again" on an entry's editor page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from changelog_site.kv.records import ValidationError
from entries import publishing
from github_sync.forms import ShippedInForm
from github_sync.services.loop_settings import loop_settings_update
from github_sync.services.shipped import shipped_enqueue
from repos.models import Repo


@login_required
@require_POST
def shipped_in_settings(request, owner, repo):
    """Save the repository's "Shipped in" settings for this user."""
    name = f"{owner}/{repo}"
    record = Repo.get(request.shiplog_user_id, name)
    if record is None:
        raise Http404(f"{name} is not one of your repositories.")
    form = ShippedInForm(request.POST)
    form.is_valid()  # every field is optional: an unticked box or a missing label is a choice, not an error
    try:
        loop_settings_update(user_id=record.userId, github_repo_id=record.githubRepoId, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "Not saved: " + "; ".join(f"the label {problem}" for problem in error.errors.values()))
    else:
        messages.success(request, f"“Shipped in” settings of {name} saved.")
    return HttpResponseRedirect(reverse("repo-sync-settings", kwargs={"owner": owner, "repo": repo}) + "#github")


@login_required
@require_POST
def entry_shipped_again(request, entry_id):
    """Queue the "Shipped in" job for a published entry again: it posts what is missing and updates
    what changed, and never comments twice."""
    try:
        entry = publishing.entry_get(user_id=request.shiplog_user_id, entry_id=entry_id)
    except publishing.EntryNotFound as error:
        raise Http404("No such entry.") from error
    if entry.status != "published":
        messages.info(request, "“Shipped in” comments are posted when the entry is published.")
    elif shipped_enqueue(entry=entry, reason="again"):
        messages.success(request, "Posting to GitHub; the result shows below.")
    else:
        messages.error(request, "Nothing was queued; the reason shows below.")
    return redirect(reverse("entry-edit", kwargs={"entry_id": entry.id}) + "#github-loop")
