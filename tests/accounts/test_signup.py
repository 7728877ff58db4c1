import json
import re

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import Account, User
from accounts.services import account_signup, location_default


def post_signup(client, email="new@example.com", **headers):
    return client.post("/accounts/signup/", {"email": email, "password1": "a-long-passphrase-9",
                                              "password2": "a-long-passphrase-9"}, **headers)


@pytest.mark.django_db
def test_it_writes_the_exact_user_record_at_signup(client, redis_db):
    response = post_signup(client, "New@Example.com", HTTP_CF_IPCOUNTRY="IN")

    assert response.status_code == 302
    account = Account.objects.get(user__email__iexact="new@example.com")
    raw = json.loads(redis_db.get(f"user:{account.shiplog_user_id}"))
    assert raw == {"id": account.shiplog_user_id, "email": "new@example.com", "plan": "free",
                   "createdAt": raw["createdAt"], "location": "in"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", raw["createdAt"])
    assert re.fullmatch(r"user_[A-Za-z0-9_-]{24,}", account.shiplog_user_id)
    assert redis_db.sismember("idx:users", account.shiplog_user_id)


@pytest.mark.django_db
def test_it_sends_a_verification_email_at_signup(client):
    post_signup(client)

    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to
    assert "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.django_db
def test_it_leaves_no_django_account_when_redis_fails(client, redis_db, monkeypatch):
    def unreachable(self, pipe=None):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(User, "save", unreachable)

    response = post_signup(client)

    assert response.status_code == 503
    assert not get_user_model().objects.filter(email="new@example.com").exists()
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_it_leaves_no_user_record_when_the_django_side_fails(redis_db, monkeypatch):
    original = Account.objects.create

    def create_then_fail(**fields):
        original(**fields)
        raise RuntimeError("database went away")

    monkeypatch.setattr(Account.objects, "create", create_then_fail)

    with pytest.raises(RuntimeError):
        account_signup(create_django_user=lambda: get_user_model().objects.create_user("x", "x@example.com"),
                       email="x@example.com", location="intl")

    assert redis_db.keys("user:*") == []
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_it_rolls_back_the_record_when_the_transaction_fails_after_the_redis_write(redis_db, monkeypatch):
    def save_then_fail(self, pipe=None):
        redis_db.set(self.key(), self.dumps())
        raise RuntimeError("commit failed")

    monkeypatch.setattr(User, "save", save_then_fail)

    with pytest.raises(RuntimeError):
        account_signup(create_django_user=lambda: get_user_model().objects.create_user("x", "x@example.com"),
                       email="x@example.com", location="intl")

    assert redis_db.keys("user:*") == []
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("meta, expected", [
    ({"HTTP_CF_IPCOUNTRY": "IN"}, "in"),
    ({"HTTP_CF_IPCOUNTRY": "US", "HTTP_ACCEPT_LANGUAGE": "hi-IN"}, "intl"),
    ({"HTTP_ACCEPT_LANGUAGE": "en-IN,en;q=0.8"}, "in"),
    ({"HTTP_ACCEPT_LANGUAGE": "ta"}, "in"),
    ({"HTTP_ACCEPT_LANGUAGE": "en-GB"}, "intl"),
    ({}, "intl"),
])
def test_it_defaults_the_location_from_the_country_header_or_language(rf, meta, expected):
    assert location_default(rf.get("/", **meta)) == expected


@pytest.mark.django_db
def test_it_sends_a_new_account_to_onboarding_after_email_confirmation(client):
    post_signup(client)
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"] == "/onboarding/"
