"""Going to DodoPayments: the Pro checkout, the customer portal, and cancelling at period end."""

import json

from accounts.models import User
from billing import dodo
from billing.models import DodoIds
from billing.services import pro_offer
from changelog_site.domain import Conflict, NotFound, ProviderFailed, ServiceNotConfigured
from changelog_site.kv import client as kv
from changelog_site.kv import keys


def _dodo_failure(error):
    return ProviderFailed(str(error), code="payment_provider_error")


def _require_configured():
    if not dodo.configured():
        raise ServiceNotConfigured("Payments are not configured on this server (set "
                                   + ", ".join(dodo.missing_settings()) + ").", code="billing_not_configured")


def checkout_create(*, user_id, return_url):
    """Start a DodoPayments checkout for Pro; returns the hosted checkout URL to redirect to."""
    _require_configured()
    user = User.get(user_id)
    if user is None:
        raise NotFound("This account has no user record.")
    if user.plan == "pro":
        raise Conflict("You are already on the Pro plan.", code="already_pro")
    offer = pro_offer(location=user.location or "intl")
    if not offer["productId"]:
        raise ServiceNotConfigured("No Pro product is configured on this server "
                                   "(set DODO_PRODUCT_ID_INTL and/or DODO_PRODUCT_ID_IN).", code="billing_not_configured")
    customer_id = DodoIds(user_id).get()["customerId"] or user.dodoCustomerId
    try:
        _session, url = dodo.checkout_session_create(product_id=offer["productId"], user_id=user_id,
                                                     email=user.email, customer_id=customer_id,
                                                     return_url=return_url)
    except dodo.DodoError as error:
        raise _dodo_failure(error) from None
    return url


def portal_session_create(*, user_id):
    """A DodoPayments customer-portal link (invoices, payment method, cancel) for a paying user."""
    _require_configured()
    user = User.get(user_id)
    customer_id = DodoIds(user_id).get()["customerId"] or (user.dodoCustomerId if user else None)
    if not customer_id:
        raise Conflict("There is no DodoPayments customer for this account yet.", code="no_customer")
    try:
        return dodo.customer_portal_session_create(customer_id=customer_id)
    except dodo.DodoError as error:
        raise _dodo_failure(error) from None


def subscription_cancel(*, user_id):
    """Cancel the subscription at the end of the paid period (Pro stays until then).

    Dodo's reply updates the stored state (``cancelAtNextBillingDate``, ``nextBillingDate``); the
    plan itself changes when Dodo's ``subscription.cancelled``/``expired`` webhook arrives.
    """
    _require_configured()
    subscription_id = DodoIds(user_id).get()["subscriptionId"]
    if not subscription_id:
        raise Conflict("There is no active subscription to cancel.", code="no_subscription")
    try:
        reply = dodo.subscription_update(subscription_id=subscription_id,
                                         changes={"cancel_at_next_billing_date": True})
    except dodo.DodoError as error:
        raise _dodo_failure(error) from None
    state_key = keys.meta_dodo_subscription(user_id)

    def remember(pipe):
        raw = pipe.get(state_key)
        state = json.loads(raw) if raw else {"subscriptionId": subscription_id, "eventAt": None}
        if state.get("subscriptionId") != subscription_id:
            return state
        state["cancelAtNextBillingDate"] = bool(reply.get("cancel_at_next_billing_date", True))
        if isinstance(reply.get("next_billing_date"), str):
            state["nextBillingDate"] = reply["next_billing_date"]
        pipe.multi()
        pipe.set(state_key, json.dumps(state, separators=(",", ":")))
        return state

    return kv.transaction(remember, state_key)
