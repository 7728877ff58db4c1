"""The DodoPayments REST API, as far as Shiplog uses it.

``DODO_API_URL`` is the base (``https://test.dodopayments.com`` for test mode,
``https://live.dodopayments.com`` for live mode, or a local fake in tests); ``DODO_API_KEY`` is
sent as a bearer token. Calls go through the shared HTTP session (``changelog_site.http``):
``HTTP_TIMEOUT`` on each, a failed connection retried, but a POST or PATCH that reached Dodo
never repeated (a lost answer must not open a second checkout). Every failure (network,
timeout, an error status, a reply without the field we need) becomes a ``DodoError`` with a
message a person can act on; the key is never in it.
"""

import logging

import requests
from django.conf import settings

from changelog_site import http

log = logging.getLogger(__name__)


class DodoError(Exception):
    """A DodoPayments call failed. ``status`` is Dodo's HTTP status (None: no reply)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.status = status
        self.code = code


def configured():
    """True when checkouts, the portal and cancelling can reach Dodo."""
    return bool(settings.DODO_API_URL and settings.DODO_API_KEY)


def missing_settings():
    """The names of the unset settings the REST calls need (for the "not configured" notes)."""
    return [name for name in ("DODO_API_URL", "DODO_API_KEY") if not getattr(settings, name)]


def _request(method, path, *, json=None, params=None):
    if not configured():
        raise DodoError("Payments are not configured on this server (set " + ", ".join(missing_settings()) + ").")
    url = settings.DODO_API_URL.rstrip("/") + path
    try:
        response = http.session_shared("dodo").request(
            method, url, json=json, params=params,
            headers={"Authorization": f"Bearer {settings.DODO_API_KEY}", "Accept": "application/json"})
    except requests.Timeout:
        raise DodoError(f"DodoPayments did not answer within {settings.HTTP_TIMEOUT:g} seconds.") from None
    except requests.RequestException as error:
        raise DodoError(f"Could not reach DodoPayments ({type(error).__name__}).") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else None
        log.warning("DodoPayments %s %s answered %s: %s", method, path, response.status_code, message or code)
        detail = f": {message}" if message else ""
        raise DodoError(f"DodoPayments refused the request ({response.status_code}{detail}).",
                        status=response.status_code, code=code)
    if not isinstance(body, dict):
        raise DodoError("DodoPayments answered with something that is not JSON.", status=response.status_code)
    return body


def _field(body, name):
    value = body.get(name)
    if not value or not isinstance(value, str):
        raise DodoError(f"DodoPayments' reply has no {name}.")
    return value


def checkout_session_create(*, product_id, user_id, email, name="", customer_id=None, return_url):
    """``POST /checkouts``: a hosted checkout for one unit of ``product_id``; ``(session_id, checkout_url)``.

    The metadata carries our userId, so the subscription's webhooks find the user.
    A user who already is a Dodo customer is attached by id, so Dodo keeps one customer per user.
    """
    customer = {"customer_id": customer_id} if customer_id else {"email": email, "name": name or email}
    body = _request("POST", "/checkouts", json={
        "product_cart": [{"product_id": product_id, "quantity": 1}],
        "customer": customer,
        "metadata": {"userId": user_id},
        "return_url": return_url,
    })
    return body.get("session_id"), _field(body, "checkout_url")


def customer_portal_session_create(*, customer_id):
    """``POST /customers/{customer_id}/customer-portal/session``: the portal link."""
    body = _request("POST", f"/customers/{requests.utils.quote(customer_id, safe='')}/customer-portal/session")
    return _field(body, "link")


def subscription_update(*, subscription_id, changes):
    """``PATCH /subscriptions/{subscription_id}``: returns Dodo's SubscriptionResponse."""
    return _request("PATCH", f"/subscriptions/{requests.utils.quote(subscription_id, safe='')}", json=changes)
