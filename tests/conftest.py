"""Shared fixtures: the real Redis (TEST_REDIS_URL's DB, flushed around each test) and factories."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from changelog_site.kv import client as kv
from tests.monitor import CommandRecorder

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture(relative):
    return json.loads((FIXTURES / relative).read_text())


@pytest.fixture(autouse=True)
def redis_db():
    """The test DB of the real Redis server, empty at the start and end of every test, and
    Django's cache (the DB beside it) cleared with it.

    Refuses to run against DB 0 or the embedded server so a mistake can never flush real data.
    """
    from django.core.cache import cache

    client = kv.get_client()
    db = client.connection_pool.connection_kwargs.get("db", 0)
    assert db != 0, f"tests must use a dedicated Redis DB, not {settings.REDIS_URL}"
    client.flushdb()
    cache.clear()
    yield client
    client.flushdb()
    cache.clear()


@pytest.fixture
def fixture_payload():
    return load_fixture


@pytest.fixture
def record_commands(redis_db):
    return lambda: CommandRecorder(redis_db)


@pytest.fixture
def account(db):
    """``account(**options)`` -> ``(record, django_user, bearer headers)``: ``tests.factories.make_account``."""
    from tests.factories import make_account

    return make_account


@pytest.fixture
def signed_in(client, account):
    """A dashboard session: ``(client, user record)``."""
    record, django_user, _ = account()
    client.force_login(django_user)
    return client, record


@pytest.fixture
def no_front_routes():
    """The front door (changelog_site.front) starting and ending with no route learned."""
    from changelog_site import front

    front.forget()
    yield
    front.forget()


@pytest.fixture
def redis_writes(monkeypatch):
    """Each write redis-py makes to a Redis socket from now on (a command, a pipeline or a batch
    is one: a round trip); ``.clear()`` it before the step to count."""
    import redis

    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(connection, command, check_health=True):
        sent.append(command)
        return original(connection, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent
