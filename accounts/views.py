"""The dashboard shell, Settings, and the pages later issues fill."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenForm, DeleteAccountForm, GitHubTokenForm, LocationForm
from accounts.management.commands.demo import DEMO_REPO
from accounts.services import (account_delete, account_location_set, account_profile, api_token_create,
                               api_token_list, api_token_revoke, location_default, shiplog_user_id)
from billing.models import User
from billing.services import pro_offer, usage_summary
from changelog_site.errors import ApiError
from entries.models import Entry
from github_sync.services import user_notices
from repos.models import Repo
from repos.services import github_token_delete, github_token_save
from repos.token_check import github_token_status, github_token_verify


def home(request):
    """``/``: the dashboard for a signed-in user; for visitors, what Shiplog does, an example
    changelog (a screenshot, and the live one when ``manage.py demo`` loaded it), pricing, sign up."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    example_url = f"/changelog/{DEMO_REPO}/" if Repo.user_ids_for(DEMO_REPO) else None
    return render(request, "landing.html", {
        "plans": settings.PLAN_LIMITS, "offer": pro_offer(location=location_default(request)),
        "example_url": example_url})


@login_required
def dashboard(request):
    user_id = shiplog_user_id(request.user, request)
    profile = account_profile(user_id=user_id)
    counts = {status: Entry.count(user_id, status) for status in ("draft", "published")}
    usage = usage_summary(user=User.get(user_id))
    notices = user_notices(user_id=user_id, limit=5)
    return render(request, "dashboard/overview.html",
                  {"title": "Overview", "profile": profile, "counts": counts, "usage": usage, "notices": notices,
                   "github": github_token_status(user_id=user_id)})


def _settings_context(request, user_id, **forms):
    profile = account_profile(user_id=user_id)
    context = {
        "title": "Settings",
        "profile": profile,
        "github": github_token_status(user_id=user_id),
        "location_form": LocationForm(initial={"location": profile.get("location") or "intl"}),
        "github_form": GitHubTokenForm(),
        "token_form": ApiTokenForm(),
        "delete_form": DeleteAccountForm(email=request.user.email),
        "api_tokens": api_token_list(django_user=request.user),
    }
    context.update(forms)
    return context


@login_required
def settings_page(request):
    user_id = shiplog_user_id(request.user, request)
    return render(request, "dashboard/settings.html", _settings_context(request, user_id))


@login_required
@require_POST
def settings_location(request):
    form = LocationForm(request.POST)
    if form.is_valid():
        account_location_set(user_id=shiplog_user_id(request.user, request), location=form.cleaned_data["location"])
        messages.success(request, "Location saved.")
    else:
        messages.error(request, "Choose India or International.")
    return redirect(request.POST.get("next") if request.POST.get("next") == "/onboarding/" else "settings")


@login_required
@require_POST
def settings_github_token(request):
    user_id = shiplog_user_id(request.user, request)
    form = GitHubTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "dashboard/settings.html", _settings_context(request, user_id, github_form=form),
                      status=400)
    try:
        github_token_save(user_id=user_id, token=form.cleaned_data["token"])
    except ApiError as error:
        messages.error(request, error.detail)
        return redirect("settings")
    _say_token_status(request, github_token_verify(user_id=user_id))
    return redirect("settings")


def _say_token_status(request, status):
    if status and status["state"] == "verified":
        messages.success(request, f"GitHub connected as {status['login']}.")
    elif status and status["state"] == "refused":
        messages.error(request, f"Token saved, but GitHub refused it: {status['detail']}. "
                                "Check the token and paste it again.")
    elif status:
        messages.warning(request, f"Token saved, but GitHub could not be reached to check it ({status['detail']}). "
                                  "It shows as not verified yet; Shiplog checks it again every few minutes.")


@login_required
@require_POST
def settings_github_token_verify(request):
    """"Check again": ask GitHub about the saved token now."""
    _say_token_status(request, github_token_verify(user_id=shiplog_user_id(request.user, request)))
    return redirect(reverse("settings") + "#github")


@login_required
@require_POST
def settings_github_token_delete(request):
    github_token_delete(user_id=shiplog_user_id(request.user, request))
    messages.success(request, "The saved GitHub token was removed.")
    return redirect("settings")


@login_required
@require_POST
def settings_api_token_create(request):
    form = ApiTokenForm(request.POST)
    user_id = shiplog_user_id(request.user, request)
    if not form.is_valid():
        return render(request, "dashboard/settings.html", _settings_context(request, user_id, token_form=form),
                      status=400)
    api_token, plaintext = api_token_create(django_user=request.user, name=form.cleaned_data["name"])
    return render(request, "dashboard/settings.html",
                  _settings_context(request, user_id, new_token=plaintext, new_token_name=api_token.name))


@login_required
@require_POST
def settings_api_token_revoke(request, token_id):
    api_token_revoke(django_user=request.user, token_id=token_id)  # someone else's or revoked: a 404 page
    messages.success(request, "Token revoked.")
    return redirect("settings")


@login_required
@require_POST
def settings_delete_account(request):
    user_id = shiplog_user_id(request.user, request)
    form = DeleteAccountForm(request.POST, email=request.user.email)
    if not form.is_valid():
        return render(request, "dashboard/settings.html", _settings_context(request, user_id, delete_form=form),
                      status=400)
    account_delete(user_id=user_id)
    logout(request)
    messages.success(request, "Your account and all its data were deleted.")
    return redirect("account_login")
