"""Brute-force limits on /admin/login/ and on allauth's sign-in, sign-up and password reset
(changelog_site/login_limits.py, settings.ACCOUNT_RATE_LIMITS)."""

import pytest

from tests.factories import make_account

ADMIN_PASSWORD = "the-right-admin-passphrase"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)


def admin_login(client, username="root", password="wrong", **extra):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"}, **extra)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_it_refuses_the_right_admin_password_after_sixty_wrong_ones(client, superuser):
    answers = [admin_login(client).status_code for _ in range(60)]

    final = admin_login(client, password=ADMIN_PASSWORD)

    assert answers[:5] == [200] * 5 and set(answers[5:]) == {429}
    assert final.status_code == 429 and not signed_in(client)
    assert 1 <= int(final["Retry-After"]) <= 300


@pytest.mark.django_db
def test_it_limits_admin_login_failures_per_ip_across_accounts(client, superuser):
    answers = [admin_login(client, username=f"guess{n}").status_code for n in range(10)]

    same_ip = admin_login(client, username="root", password=ADMIN_PASSWORD)
    other_ip = admin_login(client, username="root", password=ADMIN_PASSWORD, REMOTE_ADDR="203.0.113.9")

    assert answers == [200] * 10
    assert same_ip.status_code == 429 and 50 <= int(same_ip["Retry-After"]) <= 60
    assert other_ip.status_code == 302 and other_ip["Location"] == "/admin/"


@pytest.mark.django_db
def test_it_gives_back_the_failed_attempt_of_a_successful_admin_login(client, superuser):
    for _ in range(4):
        admin_login(client)
    assert admin_login(client, password=ADMIN_PASSWORD).status_code == 302
    client.logout()

    assert admin_login(client).status_code == 200  # the 5th failure, not the 6th
    assert admin_login(client).status_code == 429


@pytest.mark.django_db
def test_it_counts_site_and_admin_failures_against_one_account(client):
    _, django_user, _ = make_account(email="owner@example.com")
    django_user.is_staff = True
    django_user.save()
    for _ in range(5):
        client.post("/accounts/login/", {"login": "owner@example.com", "password": "wrong"})

    response = admin_login(client, username="owner@example.com", password="correct horse battery")

    assert response.status_code == 429 and not signed_in(client)


@pytest.mark.django_db
def test_it_answers_a_json_client_over_the_admin_limit_with_the_api_error(client, superuser):
    for _ in range(5):
        admin_login(client)

    response = admin_login(client, HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and 290 <= int(response["Retry-After"]) <= 300


@pytest.mark.django_db
def test_it_stops_site_logins_per_ip_with_retry_after(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        client.post("/accounts/login/", {"login": "nobody@example.com", "password": "wrong"})

    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "wrong"})

    assert response.status_code == 429 and 50 <= int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_it_locks_a_site_account_after_five_failed_logins(client):
    make_account(email="owner@example.com")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "owner@example.com", "password": "wrong"})

    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": "correct horse battery"})

    assert not signed_in(client)
    assert b"Too many failed login attempts" in response.content


@pytest.mark.django_db
def test_it_limits_signups_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    form = {"password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    for n in range(2):
        assert client.post("/accounts/signup/", {**form, "email": f"new{n}@example.com"}).status_code == 302
        client.logout()

    response = client.post("/accounts/signup/", {**form, "email": "new9@example.com"})

    assert response.status_code == 429 and 50 <= int(response["Retry-After"]) <= 60


@pytest.mark.django_db
def test_it_limits_password_reset_emails_per_account(client):
    make_account(email="owner@example.com")
    answers = [client.post("/accounts/password/reset/", {"email": "owner@example.com"}).status_code
               for _ in range(6)]

    other = client.post("/accounts/password/reset/", {"email": "other@example.com"})

    assert answers == [302] * 5 + [429]
    assert other.status_code == 302


@pytest.mark.django_db
def test_it_keeps_login_limits_in_the_shared_redis_cache(client, superuser, settings):
    from django.core.cache import cache

    admin_login(client)

    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert any(key.startswith("allauth:rl:allauth.account:login_failed:")
               for key in cache.keys("allauth:rl:*"))
