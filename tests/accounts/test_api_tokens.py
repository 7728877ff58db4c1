import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, ApiToken, User
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def issue(email, *args):
    from io import StringIO

    out = StringIO()
    call_command("api_token", email, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_prints_a_token_that_authenticates_the_api(client, redis_db):
    record, django_user, _ = make_account(email="alice@example.com", api_token=False)

    token = issue("alice@example.com")

    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["id"] == record.id


def test_it_stores_only_a_hash_of_the_token(redis_db):
    make_account(email="alice@example.com", api_token=False)

    token = issue("alice@example.com")

    stored = ApiToken.objects.get()
    assert token.startswith(stored.prefix)
    assert token not in (stored.digest, stored.prefix, stored.name)
    assert len(stored.digest) == 64


def test_it_creates_the_account_with_create(redis_db):
    token = issue("new@example.com", "--create")

    account = Account.objects.get(user__email="new@example.com")
    assert User.get(account.shiplog_user_id).plan == "free"
    assert not account.user.has_usable_password()
    assert token.startswith("shp_")


def test_it_refuses_an_unknown_email_without_create(redis_db):
    with pytest.raises(CommandError, match="--create"):
        issue("nobody@example.com")


def test_it_rejects_a_revoked_token(client, redis_db):
    make_account(email="alice@example.com", api_token=False)
    token = issue("alice@example.com")
    client.login(username="alice@example.com", password="correct horse battery")
    client.post(f"/dashboard/settings/api-tokens/{ApiToken.objects.get().pk}/revoke/")
    client.logout()

    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_it_rejects_an_unknown_token(client, redis_db):
    response = client.get("/api/me/", HTTP_AUTHORIZATION="Bearer shp_nope")

    assert response.status_code == 401
    assert response.json() == {"code": "invalid_token", "detail": "This API token is unknown or has been revoked."}


def test_it_creates_and_lists_tokens_in_settings_by_prefix_only(client, redis_db):
    make_account(email="alice@example.com", api_token=False)
    client.login(username="alice@example.com", password="correct horse battery")

    created = client.post("/dashboard/settings/api-tokens/", {"name": "CI"})
    token = created.context["new_token"]
    listed = client.get("/dashboard/settings/")

    assert token in created.content.decode()
    assert token not in listed.content.decode()
    assert token[:12] in listed.content.decode()


def test_it_does_not_revoke_another_users_token(client, redis_db):
    make_account(email="alice@example.com", api_token=False)
    make_account(email="bob@example.com", api_token=False)
    issue("bob@example.com")
    client.login(username="alice@example.com", password="correct horse battery")

    client.post(f"/dashboard/settings/api-tokens/{ApiToken.objects.get().pk}/revoke/")

    assert ApiToken.objects.get().revoked_at is None
