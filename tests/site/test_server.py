"""The shipped web server (changelog_site/server.py): granian's WSGI interface sized from the
environment, the Procfile and ``manage.py run`` starting it, and the bounded Redis pool."""

import threading
from pathlib import Path

import pytest
import redis
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse

from changelog_site import lean, server
from changelog_site.security import ContentSecurityPolicyMiddleware
from changelog_site.kv import client as kv
from changelog_site.management.commands import run as run_command

ROOT = Path(__file__).resolve().parents[2]


def test_it_serves_with_granians_wsgi_interface_sized_from_the_environment():
    workers, threads, host, port = server.settings_from_env({"WEB_WORKERS": "3", "WEB_THREADS": "8", "PORT": "5000"})

    command = server.command(host=host, port=port, workers=workers, threads=threads)

    assert (workers, threads, host, port) == (3, 8, "0.0.0.0", 5000)
    assert command[1:3] == ["-m", "granian"]
    for option, value in (("--interface", "wsgi"), ("--workers", "3"), ("--blocking-threads", "8"), ("--port", "5000")):
        assert command[command.index(option) + 1] == value
    assert command[-1] == "changelog_site.wsgi:application"


def test_it_binds_the_loopback_on_port_8000_unless_told_otherwise():
    assert server.settings_from_env({}) == (server.DEFAULT_WORKERS, server.DEFAULT_THREADS, "127.0.0.1", 8000)
    assert server.settings_from_env({"PORT": "9000", "WEB_HOST": "10.0.0.5"})[2:] == ("10.0.0.5", 9000)


def test_the_procfile_and_manage_py_run_start_the_same_server():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))

    assert web == "web: python -m changelog_site.server"
    assert run_command.processes("127.0.0.1", 8101)["web"][1:3] == ["-m", "changelog_site.server"]


def test_it_bounds_the_data_pool_and_makes_a_thread_wait_for_a_free_connection(settings):
    settings.KV_POOL_TIMEOUT = 0.2
    client = kv.make_client(settings.REDIS_URL, max_connections=1)
    held = client.connection_pool.get_connection()
    released = threading.Timer(0.05, lambda: client.connection_pool.release(held))

    released.start()
    assert client.ping() is True  # waited for the connection another thread gave back
    held = client.connection_pool.get_connection()
    with pytest.raises(redis.ConnectionError):
        client.ping()  # nobody gives it back: refused after KV_POOL_TIMEOUT, never a new connection
    client.connection_pool.release(held)

    assert isinstance(kv.make_client(settings.REDIS_URL).connection_pool, redis.BlockingConnectionPool)
    assert kv.make_client(settings.REDIS_URL).connection_pool.max_connections == settings.KV_MAX_CONNECTIONS


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/changelog/octo-org/octo-repo/", True),
    ("HEAD", "/changelog/octo-org/octo-repo/7/", True),
    ("GET", "/changelog/octo-org/octo-repo/rss.xml", True),
    ("POST", "/changelog/octo-org/octo-repo/7/upvote/", True),
    ("POST", "/changelog/octo-org/octo-repo/subscribe/", False),
    ("GET", "/roadmap/octo-org/octo-repo/", True),
    ("POST", "/roadmap/octo-org/octo-repo/12/upvote/", True),
    ("GET", "/roadmap-alerts/stop/token/", False),
    ("GET", "/api/widget/wgt_abc", True),
    ("POST", "/api/github/sync", True),
    ("POST", "/api/billing/webhook", True),
    ("GET", "/healthz", True),
    ("GET", "/dashboard/", False),
    ("POST", "/api/entries/ent_1/publish/", False),
    ("GET", "/accounts/login/", False),
])
def test_it_sends_only_public_requests_down_the_lean_middleware_path(rf, method, path, expected):
    assert lean.is_lean(rf.generic(method, path)) is expected


def test_the_lean_path_keeps_the_security_middleware_and_drops_the_session_stack():
    chain = lean.lean_middleware()

    assert "changelog_site.security.ContentSecurityPolicyMiddleware" in chain
    assert "django.middleware.security.SecurityMiddleware" in chain
    assert not set(chain) & set(settings.LEAN_SKIPPED_MIDDLEWARE)
    assert "django.contrib.sessions.middleware.SessionMiddleware" in settings.LEAN_SKIPPED_MIDDLEWARE


@pytest.mark.parametrize("path, with_nonce", [
    ("/changelog/octo-org/octo-repo/", True), ("/changelog/octo-org/octo-repo/", False),
    ("/dashboard/", True), ("/api/entries/", False),
])
def test_the_kept_csp_header_is_the_one_django_csp_builds(rf, path, with_nonce):
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    headers = []
    for answer in (lambda request, response: CSPMiddleware.process_response(middleware, request, response),
                   middleware.process_response, middleware.process_response):
        request = rf.get(path)
        middleware.process_request(request)
        nonce = str(request.csp_nonce) if with_nonce else None
        header = answer(request, HttpResponse())["Content-Security-Policy"]
        headers.append(header.replace(nonce, "N") if nonce else header)

    assert headers[0] == headers[1] == headers[2]
