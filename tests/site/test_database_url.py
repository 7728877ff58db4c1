"""DATABASE_URL: SQLite by default, PostgreSQL when set (the machine runs one on 127.0.0.1:5432)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def postgres_database():
    name = f"shiplog_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}: {error}")
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def manage(*args, database_url):
    env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=settings.REDIS_URL,
               DJANGO_SETTINGS_MODULE="changelog_site.settings")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_it_defaults_to_sqlite():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_it_migrates_and_links_accounts_on_postgresql(postgres_database, redis_db):
    redis_db.set("user:user_pgabcdefghijklmnopqrstu",
                 '{"id":"user_pgabcdefghijklmnopqrstu","email":"pg@example.com","plan":"free",'
                 '"createdAt":"2026-03-09T12:00:00Z"}')

    migrated = manage("migrate", "--noinput", database_url=postgres_database)
    reindexed = manage("kv_reindex", database_url=postgres_database)

    assert migrated.returncode == 0, migrated.stderr
    assert reindexed.returncode == 0, reindexed.stderr
    with psycopg.connect(postgres_database) as connection:
        row = connection.execute("SELECT shiplog_user_id FROM accounts_account").fetchone()
    assert row == ("user_pgabcdefghijklmnopqrstu",)
