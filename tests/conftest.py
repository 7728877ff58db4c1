"""Shared fixtures: the real Redis (TEST_REDIS_URL's DB, flushed around each test) and factories."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from changelog_site.kv import client as kv

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"
if not FIXTURES.exists():
    FIXTURES = Path("/work/shared/fixtures")


def load_fixture(relative):
    return json.loads((FIXTURES / relative).read_text())


@pytest.fixture(autouse=True)
def redis_db():
    """The test DB of the real Redis server, empty at the start and end of every test.

    Refuses to run against DB 0 or the embedded server so a mistake can never flush real data.
    """
    client = kv.get_client()
    db = client.connection_pool.connection_kwargs.get("db", 0)
    assert db != 0, f"tests must use a dedicated Redis DB, not {settings.REDIS_URL}"
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def fixture_payload():
    return load_fixture
