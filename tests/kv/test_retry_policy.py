"""The storage client's retry policy (changelog_site/kv/client.py): a write is sent at most once,
only opening a connection is retried, and a request fails fast with 503 when Redis is down."""

import socket
import threading
import time

import pytest
import redis

from changelog_site.kv import client as kv
from tests.engagement.public_helpers import BASE, browser, connected, published

pytestmark = pytest.mark.django_db


class DroppingServer:
    """A RESP server on 127.0.0.1 that answers +OK to everything (the connection handshake included)
    except ``drop``: it counts that command and closes the connection without replying, as a Redis
    that fails right after running a command looks to its client. ``refuse_first`` closes the
    first connection before it is set up, as a server still starting does."""

    def __init__(self, drop, refuse_first=False):
        self.drop = drop.upper()
        self.refuse_first = refuse_first
        self.received = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            if self.refuse_first and self.connections == 1:
                conn.close()
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        reader = conn.makefile("rb")
        with conn:
            while command := self._read_command(reader):
                self.received.append(command[0].upper())
                if command[0].upper() == self.drop:
                    return
                conn.sendall(b"+OK\r\n")

    @staticmethod
    def _read_command(reader):
        header = reader.readline()
        if not header.startswith(b"*"):
            return None
        words = []
        for _ in range(int(header[1:])):
            length = int(reader.readline()[1:])
            words.append(reader.read(length + 2)[:-2].decode())
        return words

    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self):
        self.listener.close()


@pytest.fixture
def dropping_server():
    servers = []

    def start(drop, **options):
        servers.append(DroppingServer(drop, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def closed_port_url():
    """A port nothing listens on: connecting is refused at once, as with a stopped Redis."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/4"


WRITES = {  # by the command that goes on the wire (redis-py sends incr() as INCRBY)
    "INCRBY": lambda client: client.incr("counter"),
    "EVALSHA": lambda client: client.evalsha("0" * 40, 1, "counter"),
    "EXEC": lambda client: client.pipeline(transaction=True).incr("counter").hincrby("h", "f", 1).execute(),
}


@pytest.mark.parametrize("command", sorted(WRITES))
def test_it_never_resends_a_write_whose_reply_was_lost(dropping_server, command):
    server = dropping_server(command)
    client = kv.make_client(server.url(), connect_timeout=1, socket_timeout=1)

    with pytest.raises(redis.ConnectionError):
        WRITES[command](client)

    assert server.received.count(command) == 1


@pytest.mark.slow
def test_the_server_does_see_the_resend_of_redis_pys_default_policy(dropping_server):
    """The fake server can tell: redis-py's default policy resends the INCR (for about 4 s)."""
    server = dropping_server("INCRBY")
    client = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=1, protocol=2)

    with pytest.raises(redis.ConnectionError):
        client.incr("counter")

    assert server.received.count("INCRBY") > 1


def test_it_retries_opening_a_connection_the_server_dropped(dropping_server):
    server = dropping_server("INCRBY", refuse_first=True)
    client = kv.make_client(server.url(), connect_timeout=1, socket_timeout=1)

    assert client.set("greeting", "hello") is True
    assert server.connections == 2


def test_an_api_request_answers_503_within_a_second_when_redis_is_down(client, account, settings):
    _, _, bearer = account()
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": closed_port_url()}}

    with kv.use_client(kv.make_client(closed_port_url())):
        started = time.monotonic()
        response = client.get("/api/entries/", **bearer)
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert int(response["Retry-After"]) > 0
    assert elapsed < 1.0


def test_a_page_answers_503_within_a_second_when_redis_is_down(settings):
    published(connected(), pr_id=1)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": closed_port_url()}}

    with kv.use_client(kv.make_client(closed_port_url())):
        started = time.monotonic()
        response = browser().get(BASE)
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert elapsed < 1.0


def test_a_page_answers_503_when_only_the_cache_is_unreachable(settings):
    user = connected()
    published(user, pr_id=1)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": closed_port_url()}}

    response = browser().get(BASE)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
