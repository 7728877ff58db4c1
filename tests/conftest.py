"""Shared fixtures: the real Redis (TEST_REDIS_URL's DB, flushed around each test) and factories."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from changelog_site.kv import client as kv

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


class CommandRecorder:
    """Records every command the Redis server receives on the test DB, through MONITOR
    (commands on other DBs, e.g. a concurrent test run, are left out)."""

    def __init__(self, client):
        self.client = client
        self.db = client.connection_pool.connection_kwargs.get("db", 0)
        self.commands = []

    def __enter__(self):
        import threading
        import uuid

        self.sentinel = f"recorder-stop-{uuid.uuid4().hex}"
        self.monitor = self.client.monitor()
        self.monitor.__enter__()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        return self

    def _listen(self):
        while True:
            command = self.monitor.next_command()
            if self.sentinel in command["command"]:
                return
            if command.get("db") == self.db:
                self.commands.append(command["command"])

    def __exit__(self, *exc):
        self.client.echo(self.sentinel)
        self.thread.join(timeout=10)
        self.monitor.__exit__(*exc)

    def names(self):
        return {command.split(" ", 1)[0].upper() for command in self.commands}


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
