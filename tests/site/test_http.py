"""The shared HTTP client setup (changelog_site/http.py) against a real local HTTP server.

``responses`` replaces the adapter, so urllib3's retries, sleeps and timeouts are only real here.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from changelog_site import http


class ScriptedServer(ThreadingHTTPServer):
    """Answers each request with the next (status, headers, delay) of ``script``; the last one repeats."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.script = [(200, {}, 0)]
        self.received = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class ScriptedHandler(BaseHTTPRequestHandler):
    def answer(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        server.received.append((self.command, dict(self.headers)))
        status, headers, delay = server.script.pop(0) if len(server.script) > 1 else server.script[0]
        time.sleep(delay)
        body = b'{"ok": true}'
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json", "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_it_retries_a_get_after_a_503_waiting_the_retry_after(server):
    server.script = [(503, {"Retry-After": "1"}, 0), (200, {}, 0)]
    started = time.monotonic()

    response = http.session_create().get(server.url + "/repos")

    assert response.status_code == 200
    assert len(server.received) == 2
    assert time.monotonic() - started >= 1


def test_it_does_not_repeat_a_post_that_reached_the_server(server):
    server.script = [(503, {}, 0)]

    response = http.session_create().post(server.url + "/checkouts", json={})

    assert response.status_code == 503
    assert [method for method, _ in server.received] == ["POST"]


def test_it_repeats_a_post_when_the_caller_says_it_is_safe(server):
    server.script = [(429, {}, 0), (502, {}, 0), (200, {}, 0)]

    response = http.session_create(retry=http.RETRY_ANY_METHOD).post(server.url + "/chat/completions", json={})

    assert response.status_code == 200
    assert len(server.received) == 3


def test_it_hands_back_the_last_failure_after_the_last_attempt(server):
    server.script = [(500, {}, 0)]

    response = http.session_create().delete(server.url + "/hooks/1")

    assert response.status_code == 500
    assert len(server.received) == 3


def test_it_does_not_wait_for_a_long_retry_after(server):
    server.script = [(429, {"Retry-After": "3600"}, 0), (200, {}, 0)]
    started = time.monotonic()

    response = http.session_create().get(server.url + "/user/repos")

    assert response.status_code == 429 and response.headers["Retry-After"] == "3600"
    assert len(server.received) == 1
    assert time.monotonic() - started < 1


def test_it_times_out_after_http_timeout_without_retrying(server, settings):
    settings.HTTP_TIMEOUT = 0.2
    server.script = [(200, {}, 1)]

    with pytest.raises(requests.Timeout):
        http.session_create().get(server.url + "/slow")

    assert len(server.received) == 1


def test_it_sends_the_user_agent(server):
    http.session_create().get(server.url + "/user")

    assert server.received[0][1]["User-Agent"] == "Shiplog"


def test_it_keeps_one_session_per_thread():
    mine = http.session_shared("test-service")
    others = []
    thread = threading.Thread(target=lambda: others.append(http.session_shared("test-service")))
    thread.start()
    thread.join()

    assert http.session_shared("test-service") is mine
    assert others[0] is not mine
