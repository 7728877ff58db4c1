"""``request.shiplog_user_id`` (accounts.middleware): read from the SQL link, never written; a
login without a Shiplog account gets a page offering to create it, the API a 403 saying what to do."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Account, User
from accounts.services import api_token_create
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db


def login_without_account(client):
    """A login made the way ``createsuperuser`` makes one: no ``Account`` link, no user record."""
    django_user = get_user_model().objects.create_user(username="admin", email="admin@example.com", password=PASSWORD)
    client.login(username="admin", password=PASSWORD)
    return django_user


def test_it_offers_to_create_the_account_of_a_login_without_one_and_writes_nothing(client, redis_db):
    login_without_account(client)

    page = client.get("/dashboard/settings/")

    assert page.status_code == 403
    assert "Create my Shiplog account" in page.content.decode()
    assert redis_db.keys("*") == [] and not Account.objects.exists()


def test_it_creates_the_account_when_asked_and_goes_back(client, redis_db):
    django_user = login_without_account(client)

    response = client.post("/dashboard/account/create/", {"next": "/dashboard/settings/"})

    user_id = Account.objects.get(user=django_user).shiplog_user_id
    assert response.status_code == 302 and response["Location"] == "/dashboard/settings/"
    assert User.get(user_id).email == "admin@example.com"
    assert client.get("/dashboard/settings/").status_code == 200


def test_it_keeps_the_account_of_a_login_that_has_one(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com")
    client.force_login(django_user)

    response = client.post("/dashboard/account/create/", {"next": "https://evil.example/"})

    assert response["Location"] == "/dashboard/"
    assert list(Account.objects.values_list("shiplog_user_id", flat=True)) == [record.id]


def test_the_api_tells_a_login_without_an_account_what_to_do(client, redis_db):
    _, token = api_token_create(django_user=login_without_account(client), name="ci")

    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403
    assert response.json()["code"] == "account_not_linked" and "api_token" in response.json()["detail"]


def test_it_reads_the_user_of_the_api_token_not_the_one_of_the_session(client, redis_db):
    alice = make_account(email="alice@example.com")
    bob = make_account(email="bob@example.com")
    client.force_login(alice.django_user)

    me = client.get("/api/me/", **bob.headers).json()

    assert me["id"] == bob.record.id
