"""Plans and what the Billing page shows: plan limits, this month's usage, the Pro offer for a
location, the subscription state and payments seen (docs/billing.md).

The rest of billing: ``billing.webhooks`` (DodoPayments webhook intake), ``billing.subscriptions``
(the subscription state machine), ``billing.checkout`` (checkout, customer portal, cancel) and
``billing.staff`` (Pro granted by staff).
"""

import json
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings

from accounts.models import User
from billing import dodo
from billing.models import BillingState, DodoIds, Usage, current_month
from billing.subscriptions import epoch
from changelog_site.kv import client as kv
from changelog_site.kv import keys

def plan_limits(*, user):
    """The monthly limits of ``user``'s plan (a ``billing.models.User``): None means unlimited."""
    return settings.PLAN_LIMITS.get(user.plan if user else "free", settings.PLAN_LIMITS["free"])


def usage_summary(*, user):
    """This month's usage beside the plan's limits, as the dashboard card and /api/usage/ show it."""
    used = Usage(user.id).get()
    limits = plan_limits(user=user)
    return {
        "plan": user.plan,
        "month": current_month(),
        "usage": used,
        "limits": limits,
        "remaining": {name: None if limits[name] is None else max(0, limits[name] - used[name]) for name in used},
    }


def pro_offer(*, location):
    """The Pro product for a location: ``{"location", "currency", "price", "productId"}``, the price in
    whole units of the currency (pages show it with the ``price`` filter, billing/templatetags/money.py).

    ``location`` ``in`` pays in INR with ``DODO_PRODUCT_ID_IN``; everyone else in USD with
    ``DODO_PRODUCT_ID_INTL``. When no INR product is configured, India gets the USD offer.
    """
    offers = settings.DODO_PRO_PRODUCTS
    chosen = "in" if location == "in" and (offers["in"]["productId"] or not offers["intl"]["productId"]) else "intl"
    offer = offers[chosen]
    return {"location": chosen, "currency": offer["currency"], "price": offer["price"],
            "productId": offer["productId"]}


def billing_status(*, user_id, user=None):
    """What the Billing page shows: plan, Dodo ids, subscription state, payments seen, usage."""
    user = user or User.get(user_id)
    client = kv.get_client()
    state_raw, payments = client.get(keys.meta_dodo_subscription(user_id)), client.hvals(keys.meta_dodo_payments(user_id))
    state = json.loads(state_raw) if state_raw else None
    if state:
        state["nextBillingAt"] = _parse_or_none(state.get("nextBillingDate"))
    payments = sorted((json.loads(raw) for raw in payments), key=lambda p: (p.get("createdAt") or "", p["paymentId"]),
                      reverse=True)
    for payment in payments:
        payment["createdAt_dt"] = _parse_or_none(payment.get("createdAt"))
    return {
        "plan": user.plan,
        "ids": DodoIds(user_id).get(),
        "subscription": state,
        "payments": payments,
        "usage": usage_summary(user=user),
        "offer": pro_offer(location=user.location or "intl"),
        "apiConfigured": dodo.configured(),
        "missingSettings": dodo.missing_settings(),
    }


def billing_export(*, user_id):
    """Billing's own data of a user for the GDPR export: the subscription state and payments seen."""
    return BillingState(user_id).export()


def _parse_or_none(text):
    seconds = epoch(text)
    return datetime.fromtimestamp(seconds, tz=dt_timezone.utc) if seconds is not None else None
