"""Onboarding (pick and connect repositories) and the Repositories page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import LocationForm
from accounts.services import account_profile, shiplog_user_id
from changelog_site.errors import ApiError
from repos.models import Repo
from repos.services import repo_connect, repo_disconnect, repos_available


def _available(user_id, query):
    """``(repositories, problem)``: GitHub's list, or the message explaining why there is none."""
    try:
        return repos_available(user_id=user_id, query=query), None
    except ApiError as error:
        return [], error


@login_required
def onboarding(request):
    user_id = shiplog_user_id(request.user, request)
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
    user_id = shiplog_user_id(request.user, request)
    return render(request, "dashboard/repositories.html",
                  {"title": "Repositories", "connected": Repo.for_user(user_id)})


def _back(request):
    return redirect("onboarding" if request.POST.get("next") == "onboarding" else "repositories")


@login_required
@require_POST
def connect(request):
    name = request.POST.get("name", "")
    try:
        repo = repo_connect(user_id=shiplog_user_id(request.user, request), name=name)
    except ApiError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"{repo.name} is connected. Merged pull requests will appear in Drafts.")
    return _back(request)


@login_required
@require_POST
def disconnect(request, owner, repo):
    name = f"{owner}/{repo}"
    try:
        repo_disconnect(user_id=shiplog_user_id(request.user, request), name=name,
                        delete_entries=request.POST.get("delete_entries") == "on")
    except ApiError as error:
        if error.status_code == 404:  # not one of this user's repositories: a 404 page, like any other id
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, f"{name} was disconnected.")
    return _back(request)
