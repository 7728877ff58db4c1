"""HTTPS hardening derived from an https:// PUBLIC_BASE_URL (changelog_site/settings.py,
docs/deployment.md), checked by Django's own ``check --deploy``."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.site.test_settings_env import ROOT, settings_with

HTTPS_SETTINGS = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
                  "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "CSRF_TRUSTED_ORIGINS",
                  "SECURE_PROXY_SSL_HEADER", "SECURE_REDIRECT_EXEMPT"]


def check_deploy(tmp_path, **variables):
    """``manage.py check --deploy`` run as an operator would, with only ``variables`` set."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("SECURE_", "PUBLIC_BASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CSRF_",
                                   "DJANGO_SETTINGS_MODULE"))}
    env.update(REDIS_URL=settings.REDIS_URL, SHIPLOG_DATA_DIR=str(tmp_path), **variables)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_it_passes_check_deploy_for_an_https_deployment(tmp_path):
    done = check_deploy(tmp_path, PUBLIC_BASE_URL="https://changelog.example.com", DEBUG="false",
                        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="changelog.example.com",
                        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
                        SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_it_reports_what_plain_http_lacks_so_the_check_is_real(tmp_path):
    done = check_deploy(tmp_path, PUBLIC_BASE_URL="http://changelog.example.com", DEBUG="false",
                        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="changelog.example.com")

    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


def test_it_derives_the_https_settings_from_public_base_url(tmp_path):
    https = settings_with(tmp_path, HTTPS_SETTINGS, PUBLIC_BASE_URL="https://example.com/changelog",
                          SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", SECURE_HSTS_INCLUDE_SUBDOMAINS="1")
    plain = settings_with(tmp_path, HTTPS_SETTINGS, PUBLIC_BASE_URL="http://127.0.0.1:8000")

    assert https["SECURE_SSL_REDIRECT"] and https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_HSTS_SECONDS"] == 31536000 and https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert https["SECURE_HSTS_PRELOAD"] is False
    assert https["CSRF_TRUSTED_ORIGINS"] == ["https://example.com"]
    assert https["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert not plain["SECURE_SSL_REDIRECT"] and not plain["SESSION_COOKIE_SECURE"]
    assert plain["SECURE_HSTS_SECONDS"] == 0 and plain["SECURE_PROXY_SSL_HEADER"] is None


@pytest.fixture
def https_behind_proxy(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


@pytest.mark.django_db
def test_it_redirects_plain_http_to_https_but_not_the_health_check(client, https_behind_proxy):
    page = client.get("/accounts/login/")
    health = client.get("/healthz")

    assert page.status_code == 301 and page["Location"] == "https://testserver/accounts/login/"
    assert health.status_code == 200 and health.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_serves_https_requests_from_the_proxy_with_hsts_and_secure_cookies(client, https_behind_proxy):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response.cookies["csrftoken"]["secure"] is True
