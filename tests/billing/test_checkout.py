"""Upgrade, customer portal and cancel against a local fake of Dodo's REST API (``responses``)."""

import json

import pytest
import responses

from tests.billing.conftest import DODO_API
from tests.billing.dodo_helpers import deliver, subscription_event


@pytest.fixture
def fake_dodo(dodo_api):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_it_creates_a_checkout_with_the_user_id_in_metadata_and_redirects(signed_in, fake_dodo, redis_db):
    client, record = signed_in
    fake_dodo.post(f"{DODO_API}/checkouts", status=200,
                   json={"session_id": "cks_0Qx7Lm2N", "checkout_url": "https://checkout.dodo.test/session/cks_0Qx7Lm2N"})

    response = client.post("/dashboard/billing/checkout/")

    assert response.status_code == 302
    assert response["Location"] == "https://checkout.dodo.test/session/cks_0Qx7Lm2N"
    sent = fake_dodo.calls[0].request
    assert sent.headers["Authorization"] == "Bearer dodo_test_key_123"
    assert json.loads(sent.body) == {
        "product_cart": [{"product_id": "pdt_ProUSD01", "quantity": 1}],
        "customer": {"email": record.email, "name": record.email},
        "metadata": {"userId": record.id},
        "return_url": "http://testserver/dashboard/billing/?checkout=returned",
    }
    assert json.loads(redis_db.get(f"user:{record.id}"))["plan"] == "free"


def test_it_charges_india_the_inr_product(client, account, fake_dodo):
    record, django_user, _ = account(location="in")
    client.force_login(django_user)
    fake_dodo.post(f"{DODO_API}/checkouts", json={"session_id": "cks_1", "checkout_url": "https://checkout.dodo.test/1"})

    client.post("/dashboard/billing/checkout/")

    assert json.loads(fake_dodo.calls[0].request.body)["product_cart"] == [{"product_id": "pdt_ProINR01", "quantity": 1}]


def test_it_attaches_a_known_dodo_customer_by_id(client, account, fake_dodo, redis_db):
    record, django_user, _ = account()
    client.force_login(django_user)
    redis_db.set(f"user:{record.id}:dodo_customer_id", "cus_Known0001")
    fake_dodo.post(f"{DODO_API}/checkouts", json={"session_id": "cks_1", "checkout_url": "https://checkout.dodo.test/1"})

    client.post("/dashboard/billing/checkout/")

    assert json.loads(fake_dodo.calls[0].request.body)["customer"] == {"customer_id": "cus_Known0001"}


def test_it_reports_a_dodo_api_error_and_changes_nothing(signed_in, fake_dodo, redis_db):
    client, record = signed_in
    before = {key: redis_db.dump(key) for key in redis_db.keys("*")}
    fake_dodo.post(f"{DODO_API}/checkouts", status=422,
                   json={"code": "INVALID_REQUEST_BODY", "message": "product pdt_ProUSD01 does not exist"})

    response = client.post("/dashboard/billing/checkout/", follow=True)

    assert response.redirect_chain == [("/dashboard/billing/", 302)]
    page = response.content.decode()
    assert "Could not start the checkout" in page and "product pdt_ProUSD01 does not exist" in page
    assert "dodo_test_key_123" not in page
    assert {key: redis_db.dump(key) for key in redis_db.keys("*")} == before


def test_it_never_repeats_a_checkout_that_reached_dodo(signed_in, fake_dodo):
    client, _ = signed_in
    fake_dodo.post(f"{DODO_API}/checkouts", status=503, json={"message": "try later"})

    response = client.post("/dashboard/billing/checkout/", follow=True)

    assert len(fake_dodo.calls) == 1
    assert "Could not start the checkout" in response.content.decode()


def test_it_reports_dodo_being_unreachable(signed_in, fake_dodo):
    import requests

    client, _ = signed_in
    fake_dodo.post(f"{DODO_API}/checkouts", body=requests.ConnectionError("refused"))

    response = client.post("/dashboard/billing/checkout/", follow=True)

    assert "Could not reach DodoPayments" in response.content.decode()


def test_it_reports_a_reply_without_checkout_url(signed_in, fake_dodo):
    client, _ = signed_in
    fake_dodo.post(f"{DODO_API}/checkouts", json={"session_id": "cks_1"})

    response = client.post("/dashboard/billing/checkout/", follow=True)

    assert "has no checkout_url" in response.content.decode()


def test_it_does_not_start_a_checkout_for_a_pro_user(client, account, fake_dodo):
    _, django_user, _ = account(plan="pro")
    client.force_login(django_user)

    response = client.post("/dashboard/billing/checkout/", follow=True)

    assert "already on the Pro plan" in response.content.decode()
    assert len(fake_dodo.calls) == 0


def test_it_says_payments_are_not_configured_without_dodo(signed_in, settings):
    settings.DODO_API_URL, settings.DODO_API_KEY = "", ""
    client, _ = signed_in

    response = client.post("/dashboard/billing/checkout/", follow=True)

    assert response.status_code == 200
    assert "Payments are not configured on this server (set DODO_API_URL, DODO_API_KEY)" in response.content.decode()


def test_it_opens_the_customer_portal(client, account, fake_dodo, redis_db):
    record, django_user, _ = account(plan="pro")
    client.force_login(django_user)
    redis_db.set(f"user:{record.id}:dodo_customer_id", "cus_Known0001")
    fake_dodo.post(f"{DODO_API}/customers/cus_Known0001/customer-portal/session",
                   json={"link": "https://customer.dodo.test/portal/abc"})

    response = client.post("/dashboard/billing/portal/")

    assert response["Location"] == "https://customer.dodo.test/portal/abc"


def test_it_cancels_at_the_end_of_the_period(client, account, fake_dodo, redis_db, dodo_secret):
    record, django_user, _ = account()
    client.force_login(django_user)
    deliver(client, subscription_event("subscription.active", user_id=record.id))
    fake_dodo.patch(f"{DODO_API}/subscriptions/sub_7Xq2LmN4pR8sT1vW",
                    json={"subscription_id": "sub_7Xq2LmN4pR8sT1vW", "status": "active",
                          "cancel_at_next_billing_date": True, "next_billing_date": "2026-04-09T12:00:00Z"})

    response = client.post("/dashboard/billing/cancel/", follow=True)

    assert json.loads(fake_dodo.calls[0].request.body) == {"cancel_at_next_billing_date": True}
    assert "will end at the close of the paid period (2026-04-09)" in response.content.decode()
    state = json.loads(redis_db.get(f"meta:dodo-subscription:{record.id}"))
    assert state["cancelAtNextBillingDate"] is True and state["nextBillingDate"] == "2026-04-09T12:00:00Z"
    assert json.loads(redis_db.get(f"user:{record.id}"))["plan"] == "pro"  # until Dodo says it ended


def test_it_refuses_to_cancel_without_a_subscription(signed_in, fake_dodo):
    client, _ = signed_in

    response = client.post("/dashboard/billing/cancel/", follow=True)

    assert "no active subscription" in response.content.decode()
    assert len(fake_dodo.calls) == 0


def test_it_only_accepts_post_for_the_buttons(signed_in):
    client, _ = signed_in

    assert client.get("/dashboard/billing/checkout/").status_code == 405


def test_it_offers_cancel_at_period_end_on_the_settings_page(client, account, fake_dodo, redis_db, dodo_secret):
    record, django_user, _ = account()
    client.force_login(django_user)
    deliver(client, subscription_event("subscription.active", user_id=record.id))
    fake_dodo.patch(f"{DODO_API}/subscriptions/sub_7Xq2LmN4pR8sT1vW",
                    json={"subscription_id": "sub_7Xq2LmN4pR8sT1vW", "cancel_at_next_billing_date": True,
                          "next_billing_date": "2026-04-09T12:00:00Z"})
    assert "Cancel at period end" in client.get("/dashboard/settings/").content.decode()

    response = client.post("/dashboard/billing/cancel/", {"next": "settings"}, follow=True)

    assert response.redirect_chain == [("/dashboard/settings/", 302)]
    page = response.content.decode()
    assert "Pro until 9 April 2026" in page and "Cancel at period end</button>" not in page
