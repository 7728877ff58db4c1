"""Onboarding (pick and connect repositories), the Repositories page, and the GitHub token of
Settings (its section is ``{% github_card %}``, ``repos.templatetags.repos``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import LocationForm
from accounts.services import account_profile
from changelog_site.domain import DomainError, NotFound
from repos.forms import GitHubTokenForm, RepoConnectForm, RepoDisconnectForm
from repos.models import Repo
from repos.services import github_token_delete, github_token_save, repo_connect, repo_disconnect, repos_available
from repos.token_check import github_token_verify


def _available(user_id, query):
    """``(repositories, problem)``: GitHub's list, or the message explaining why there is none."""
    try:
        return repos_available(user_id=user_id, query=query), None
    except DomainError as error:
        return [], error


@login_required
def onboarding(request):
    user_id = request.shiplog_user_id
    profile = account_profile(user_id=user_id)
    query = request.GET.get("q", "")[:100]
    available, problem = _available(user_id, query)
    return render(request, "dashboard/onboarding.html", {
        "title": "Connect a repository", "profile": profile, "query": query, "available": available,
        "problem": problem, "connected": Repo.for_user(user_id),
        "location_form": LocationForm(initial={"location": profile.get("location") or "intl"}),
    })


@login_required
def repositories(request):
    return render(request, "dashboard/repositories.html",
                  {"title": "Repositories", "connected": Repo.for_user(request.shiplog_user_id)})


def _back(form):
    return redirect("onboarding" if form.is_valid() and form.cleaned_data["next"] == "onboarding" else "repositories")


@login_required
@require_POST
def connect(request):
    form = RepoConnectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a repository to connect.")
        return _back(form)
    try:
        repo = repo_connect(user_id=request.shiplog_user_id, name=form.cleaned_data["name"])
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"{repo.name} is connected. Merged pull requests will appear in Drafts.")
    return _back(form)


@login_required
@require_POST
def disconnect(request, owner, repo):
    name = f"{owner}/{repo}"
    form = RepoDisconnectForm(request.POST)
    try:
        repo_disconnect(user_id=request.shiplog_user_id, name=name,
                        delete_entries=form.is_valid() and form.cleaned_data["delete_entries"])
    except NotFound:  # not one of this user's repositories: a 404 page, like any other id
        raise
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"{name} was disconnected.")
    return _back(form)


# --- the GitHub token (Settings → GitHub) -----------------------------------------------------

def _say_token_status(request, status):
    if status and status["state"] == "verified":
        messages.success(request, f"GitHub connected as {status['login']}.")
    elif status and status["state"] == "refused":
        messages.error(request, f"Token saved, but GitHub refused it: {status['detail']}. "
                                "Check the token and paste it again.")
    elif status:
        messages.warning(request, f"Token saved, but GitHub could not be reached to check it ({status['detail']}). "
                                  "It shows as not verified yet; Shiplog checks it again every few minutes.")


def _to_github_settings():
    return redirect(reverse("settings") + "#github")


@login_required
@require_POST
def github_token_set(request):
    form = GitHubTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Paste a GitHub personal access token (up to 255 characters).")
        return _to_github_settings()
    user_id = request.shiplog_user_id
    try:
        github_token_save(user_id=user_id, token=form.cleaned_data["token"])
    except DomainError as error:
        messages.error(request, error.detail)
        return _to_github_settings()
    _say_token_status(request, github_token_verify(user_id=user_id))
    return _to_github_settings()


@login_required
@require_POST
def github_token_check(request):
    """"Check again": ask GitHub about the saved token now."""
    _say_token_status(request, github_token_verify(user_id=request.shiplog_user_id))
    return _to_github_settings()


@login_required
@require_POST
def github_token_remove(request):
    github_token_delete(user_id=request.shiplog_user_id)
    messages.success(request, "The saved GitHub token was removed.")
    return _to_github_settings()
