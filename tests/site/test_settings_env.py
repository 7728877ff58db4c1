"""Settings read from the environment (django-environ): the README's variables, forms and defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
EMAIL_KEYS = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
              "EMAIL_USE_TLS", "EMAIL_USE_SSL"]
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def settings_with(tmp_path, names, **variables):
    """The named settings as the production settings module computes them under ``variables``."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("EMAIL_", "DATABASE_", "DEBUG", "ALLOWED_HOSTS", "FREE_", "HTTP_TIMEOUT"))}
    env.update(DJANGO_SETTINGS_MODULE="changelog_site.settings", REDIS_URL=settings.REDIS_URL,
               SHIPLOG_DATA_DIR=str(tmp_path), **variables)
    script = ("import json; from django.conf import settings; "
              f"print(json.dumps({{name: getattr(settings, name, None) for name in {names!r}}}, default=str))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.com", [SMTP, "mail.example.com", 587, "", "", False, False]),
    ("smtp+tls://us%40er:p%2Fw@mail.example.com", [SMTP, "mail.example.com", 587, "us@er", "p/w", True, False]),
    ("smtp+ssl://u:p@mail.example.com", [SMTP, "mail.example.com", 465, "u", "p", False, True]),
    ("smtps://u:p@mail.example.com:1465", [SMTP, "mail.example.com", 1465, "u", "p", False, True]),
    ("console://", [CONSOLE, "localhost", 587, "", "", False, False]),
])
def test_it_reads_email_url(tmp_path, url, expected):
    assert list(settings_with(tmp_path, EMAIL_KEYS, EMAIL_URL=url).values()) == expected


def test_it_reads_the_django_email_variables_without_email_url(tmp_path):
    starttls = settings_with(tmp_path, EMAIL_KEYS, EMAIL_HOST="smtp.example.com", EMAIL_HOST_USER="shiplog")
    implicit = settings_with(tmp_path, EMAIL_KEYS, EMAIL_HOST="smtp.example.com", EMAIL_PORT="465",
                             EMAIL_USE_TLS="false", EMAIL_USE_SSL="on")

    assert list(starttls.values()) == [SMTP, "smtp.example.com", 587, "shiplog", "", True, False]
    assert list(implicit.values()) == [SMTP, "smtp.example.com", 465, "", "", False, True]


def test_it_defaults_to_console_email_sqlite_and_no_debug(tmp_path):
    values = settings_with(tmp_path, ["EMAIL_BACKEND", "DATABASES", "DEBUG", "ALLOWED_HOSTS", "HTTP_TIMEOUT"])

    assert values["EMAIL_BACKEND"] == CONSOLE
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"] == str(tmp_path.resolve() / "shiplog.sqlite3")
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "testserver"]
    assert values["HTTP_TIMEOUT"] == 10.0


def test_it_reads_lists_booleans_numbers_and_the_database_url(tmp_path):
    values = settings_with(tmp_path, ["ALLOWED_HOSTS", "DEBUG", "PLAN_LIMITS", "DATABASES", "HTTP_TIMEOUT"],
                           ALLOWED_HOSTS=" shiplog.example.com , , localhost,", DEBUG="yes",
                           FREE_ENTRIES_PER_MONTH="3", HTTP_TIMEOUT="2.5",
                           DATABASE_URL="postgresql://shiplog:s%40cret@db.internal:5433/shiplog")

    assert values["ALLOWED_HOSTS"] == ["shiplog.example.com", "localhost"]
    assert values["DEBUG"] is True
    assert values["PLAN_LIMITS"]["free"]["entriesPublished"] == 3
    assert values["HTTP_TIMEOUT"] == 2.5
    database = values["DATABASES"]["default"]
    assert (database["ENGINE"], database["HOST"], database["PORT"], database["NAME"], database["PASSWORD"]) == (
        "django.db.backends.postgresql", "db.internal", 5433, "shiplog", "s@cret")
