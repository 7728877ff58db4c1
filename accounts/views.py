"""The dashboard's overview, Settings (location, API tokens, the account's deletion), the home page
and the explicit "create my Shiplog account" step.

Thin, and identity only: the parts of these pages that belong to other apps (the plan and usage,
the GitHub token, entry counts, notices, the Pro price) come from template tags each app
registers (``{% load billing repos entries github_sync %}``), so accounts imports none of them.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenForm, DeleteAccountForm, LocationForm
from accounts.lifecycle import account_delete
from accounts.services import (account_create, account_location_set, account_profile, api_token_create,
                               api_token_list, api_token_revoke, location_default)
from changelog_site.links import safe_next


def home(request):
    """``/``: the dashboard for a signed-in user; for visitors, what Shiplog does, an example
    changelog (a screenshot, and the live one when ``manage.py demo`` loaded it), pricing, sign up."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "landing.html", {"plans": settings.PLAN_LIMITS})


@login_required
@require_POST
def account_create_view(request):
    """The button of the "no Shiplog account yet" page: link this login to a new account."""
    account_create(django_user=request.user, location=location_default(request))
    messages.success(request, "Your Shiplog account is ready.")
    return redirect(safe_next(request, request.POST.get("next"), reverse("dashboard")))


@login_required
def dashboard(request):
    profile = account_profile(user_id=request.shiplog_user_id)
    return render(request, "dashboard/overview.html", {"title": "Overview", "profile": profile})


def _settings_context(request, **forms):
    profile = account_profile(user_id=request.shiplog_user_id)
    context = {
        "title": "Settings",
        "profile": profile,
        "location_form": LocationForm(initial={"location": profile.get("location") or "intl"}),
        "token_form": ApiTokenForm(),
        "delete_form": DeleteAccountForm(email=request.user.email),
        "api_tokens": api_token_list(django_user=request.user),
    }
    context.update(forms)
    return context


@login_required
def settings_page(request):
    return render(request, "dashboard/settings.html", _settings_context(request))


@login_required
@require_POST
def settings_location(request):
    form = LocationForm(request.POST)
    if form.is_valid():
        account_location_set(user_id=request.shiplog_user_id, location=form.cleaned_data["location"])
        messages.success(request, "Location saved.")
    else:
        messages.error(request, "Choose India or International.")
    return redirect(safe_next(request, request.POST.get("next"), reverse("settings")))


@login_required
@require_POST
def settings_api_token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "dashboard/settings.html", _settings_context(request, token_form=form), status=400)
    api_token, plaintext = api_token_create(django_user=request.user, name=form.cleaned_data["name"])
    return render(request, "dashboard/settings.html",
                  _settings_context(request, new_token=plaintext, new_token_name=api_token.name))


@login_required
@require_POST
def settings_api_token_revoke(request, token_id):
    api_token_revoke(django_user=request.user, token_id=token_id)  # someone else's or revoked: a 404 page
    messages.success(request, "Token revoked.")
    return redirect("settings")


@login_required
@require_POST
def settings_delete_account(request):
    form = DeleteAccountForm(request.POST, email=request.user.email)
    if not form.is_valid():
        return render(request, "dashboard/settings.html", _settings_context(request, delete_form=form), status=400)
    account_delete(user_id=request.shiplog_user_id)
    logout(request)
    messages.success(request, "Your account and all its data were deleted.")
    return redirect("account_login")
