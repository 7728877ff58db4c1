"""Pricing, Billing, and the buttons that go to DodoPayments: thin views over ``billing.services``
and ``billing.checkout``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.services import location_default
from billing import checkout, dodo, services
from billing.forms import CancelForm
from changelog_site.domain import DomainError


def _plans():
    return {name: settings.PLAN_LIMITS[name] for name in ("free", "pro")}


def pricing(request):
    """Free vs Pro, with the Pro price in INR for India and USD elsewhere."""
    user = None
    if request.user.is_authenticated:
        user = User.get(request.shiplog_user_id)
    location = (user.location if user and user.location else None) or location_default(request)
    return render(request, "billing/pricing.html", {
        "title": "Pricing",
        "base_template": "base.html" if request.user.is_authenticated else "site_base.html",
        "plans": _plans(),
        "offer": services.pro_offer(location=location),
        "plan": user.plan if user else None,
        "apiConfigured": dodo.configured(),
        "missingSettings": dodo.missing_settings(),
    })


@login_required
def billing_page(request):
    user_id = request.shiplog_user_id
    status = services.billing_status(user_id=user_id)
    if request.GET.get("checkout") == "returned" and status["plan"] != "pro":
        messages.info(request, "Thanks! Your payment is being confirmed; Pro switches on as soon as "
                               "DodoPayments tells us (usually within a minute).")
    return render(request, "billing/billing.html", {"title": "Billing", "billing": status, "plans": _plans(),
                                                    "usage": status["usage"]})


@login_required
@require_POST
def billing_checkout(request):
    user_id = request.shiplog_user_id
    return_url = settings.PUBLIC_BASE_URL + reverse("dashboard-billing") + "?checkout=returned"
    try:
        url = checkout.checkout_create(user_id=user_id, return_url=return_url)
    except DomainError as error:
        messages.error(request, f"Could not start the checkout: {error.detail}")
        return redirect("dashboard-billing")
    return redirect(url)


@login_required
@require_POST
def billing_portal(request):
    try:
        url = checkout.portal_session_create(user_id=request.shiplog_user_id)
    except DomainError as error:
        messages.error(request, f"Could not open the customer portal: {error.detail}")
        return redirect("dashboard-billing")
    return redirect(url)


@login_required
@require_POST
def billing_cancel(request):
    form = CancelForm(request.POST)
    next_page = (form.cleaned_data["next"] if form.is_valid() else "") or "dashboard-billing"
    try:
        state = checkout.subscription_cancel(user_id=request.shiplog_user_id)
    except DomainError as error:
        messages.error(request, f"Could not cancel: {error.detail}")
    else:
        until = (state or {}).get("nextBillingDate")
        messages.success(request, "Your subscription will end at the close of the paid period"
                         + (f" ({until[:10]})" if until else "") + "; Pro stays on until then.")
    return redirect(next_page)
