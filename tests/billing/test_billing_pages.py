"""Pricing and Billing pages, and the plan check reading ``user:`` once per request."""

import time

import pytest

from billing.models import Usage
from tests.billing.dodo_helpers import deliver, payment_event, subscription_event
from tests.factories import make_entry


def test_it_shows_usd_prices_outside_india(client, account, dodo_api):
    _, django_user, _ = account(location="intl")
    client.force_login(django_user)

    page = client.get("/pricing/").content.decode()

    assert "$9" in page and "USD" in page and "₹" not in page
    assert "10 published entries a month" in page and "Unlimited published entries" in page
    assert 'action="/dashboard/billing/checkout/"' in page


def test_it_shows_inr_prices_for_india(client, account, dodo_api):
    _, django_user, _ = account(location="in")
    client.force_login(django_user)

    page = client.get("/pricing/").content.decode()

    assert "₹749" in page and "INR" in page and "$9" not in page


def test_it_shows_pricing_to_visitors_by_their_country(client, dodo_api):
    page = client.get("/pricing/", HTTP_CF_IPCOUNTRY="IN").content.decode()

    assert "₹749" in page and "Sign up, then upgrade" in page


def test_it_says_when_payments_are_not_configured(client, account, settings):
    settings.DODO_API_URL, settings.DODO_API_KEY = "", ""
    _, django_user, _ = account()
    client.force_login(django_user)

    pricing = client.get("/pricing/")
    billing = client.get("/dashboard/billing/")

    assert pricing.status_code == 200 and billing.status_code == 200
    for page in (pricing.content.decode(), billing.content.decode()):
        assert "Payments are not configured on this server" in page
        assert 'action="/dashboard/billing/checkout/"' not in page


def test_it_replaces_the_coming_soon_billing_page(signed_in):
    client, _ = signed_in

    page = client.get("/dashboard/billing/").content.decode()

    assert "Coming soon" not in page
    assert '<a href="/dashboard/billing/" aria-current="page">Billing</a>' in page


def test_it_shows_a_free_users_plan_usage_and_upgrade_button(signed_in, dodo_api):
    client, record = signed_in
    Usage(record.id).increment("entriesPublished", 3)

    page = client.get("/dashboard/billing/").content.decode()

    assert "Current plan: Free" in page
    assert "Upgrade to Pro · $9/month" in page
    assert "3 / 10" in page
    assert "No payments yet." in page


def test_it_shows_a_pro_users_renewal_date_payments_and_actions(client, account, dodo_api, dodo_secret):
    record, django_user, _ = account()
    client.force_login(django_user)
    now = time.time()
    deliver(client, subscription_event("subscription.active", user_id=record.id, at=now - 60,
                                       next_billing=1776340800), msg_id="msg_1")  # 2026-04-16
    deliver(client, payment_event("payment.succeeded", user_id=record.id, at=now - 60, amount=74900,
                                  currency="INR"), msg_id="msg_2")

    page = client.get("/dashboard/billing/").content.decode()

    assert "Renews on</dt><dd>16 April 2026" in page
    assert "$9.00 / month" in page
    assert "₹749.00" in page and "pay_3Hn8QwE2rT5yU7iO" in page and ">succeeded<" in page
    assert "Invoices and payment method" in page and "Cancel at period end" in page
    assert "Upgrade to Pro" not in page


def test_it_tells_a_returning_buyer_that_pro_is_on_its_way(signed_in, dodo_api):
    client, _ = signed_in

    page = client.get("/dashboard/billing/?checkout=returned").content.decode()

    assert "Your payment is being confirmed" in page


def test_it_asks_for_sign_in_on_the_billing_page(client):
    response = client.get("/dashboard/billing/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("action", ["publish", "rewrite"])
def test_it_reads_the_user_record_once_per_limited_request(action, client, account, record_commands):
    record, _, bearer = account()
    entry = make_entry(record, repo_id="acme/api")

    with record_commands() as recorded:
        response = client.post(f"/api/entries/{entry.id}/{action}/", **bearer)

    assert response.status_code == 200
    reads = [c for c in recorded.commands if c.split(" ")[:2] in (["GET", f"user:{record.id}"],
                                                                   ["MGET", f"user:{record.id}"])]
    assert len(reads) == 1, recorded.commands


def test_it_shows_the_subscription_in_the_admin(client, account, django_user_model, dodo_secret):
    from accounts.models import Account

    record, _, _ = account()
    deliver(client, subscription_event("subscription.active", user_id=record.id))
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)

    page = client.get(f"/admin/accounts/account/{Account.objects.get(shiplog_user_id=record.id).pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "customer cus_9KdLw3Hs2Qx, subscription sub_7Xq2LmN4pR8sT1vW" in text
    assert "active, next billing" in text and "last event subscription.active" in text
