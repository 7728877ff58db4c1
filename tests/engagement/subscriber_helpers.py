"""Helpers of the subscriber tests: a real SMTP server (aiosmtpd) that keeps what it receives and can
refuse chosen recipients, a local HTTP server standing in for Slack, Discord and Mailchimp, and
shortcuts for the subscribe/confirm flow."""

import email
import json
import re
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import environ
import pytest
from aiosmtpd.controller import Controller

from tests.engagement.public_helpers import BROWSER, REPO, browser, connected  # noqa: F401  (re-exported)

BASE = f"/changelog/{REPO}/"
LINK = re.compile(r"https?://testserver(/subscriptions/[a-z]+/[^/\s]+/)")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """An aiosmtpd handler: ``messages`` received (parsed), ``refused`` addresses answered 550."""

    def __init__(self):
        self.messages = []
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]

    def clear(self):
        self.messages.clear()


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, kind):
    """The path of the first ``/subscriptions/{kind}/…/`` link in the text part."""
    for match in LINK.finditer(text_of(message)):
        if match.group(1).startswith(f"/subscriptions/{kind}/"):
            return match.group(1)
    raise AssertionError(f"no {kind} link in {text_of(message)!r}")


@pytest.fixture
def smtp_sink(settings):
    """A running SMTP server; Django sends to it as ``EMAIL_URL=smtp://127.0.0.1:PORT`` says."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    config = environ.Env.email_url_config(f"smtp://127.0.0.1:{port}")
    settings.EMAIL_BACKEND = config["EMAIL_BACKEND"]
    settings.EMAIL_HOST, settings.EMAIL_PORT = config["EMAIL_HOST"], config["EMAIL_PORT"]
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()


class FakeHttp:
    """A local HTTP server recording every request (method, path, JSON body, auth header); answers
    ``status`` (200 by default, or per path prefix in ``statuses``) with ``{"ok": true}``."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.statuses = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fake.requests.append({"method": self.command, "path": self.path,
                                      "json": json.loads(raw) if raw else None,
                                      "auth": self.headers.get("Authorization", "")})
                status = next((code for prefix, code in fake.statuses.items() if self.path.startswith(prefix)),
                              fake.status)
                body = json.dumps({"ok": status < 400, "errors": [], "detail": "fake says no"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = do_PATCH = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_http():
    with FakeHttp() as fake:
        yield fake


def subscribe(client, email_address, **preferences):
    """Subscribe through the public form (as a reader's browser would)."""
    data = {"email": email_address}
    if preferences:
        data["preferences"] = "1"
        data.update({name: "on" for name, on in preferences.items() if on})
    return client.post(BASE + "subscribe/", data, HTTP_USER_AGENT=BROWSER)


def subscribe_and_confirm(client, sink, email_address, **preferences):
    """Subscribe, then POST the confirm link of the confirmation email; returns that email."""
    assert subscribe(client, email_address, **preferences).status_code == 202
    confirmation = sink.to(email_address)[-1]
    assert client.post(link_in(confirmation, "confirm")).status_code == 200
    return confirmation


__all__ = ["BASE", "BROWSER", "REPO", "SmtpSink", "FakeHttp", "browser", "connected", "fake_http", "html_of",
           "link_in", "smtp_sink", "subscribe", "subscribe_and_confirm", "text_of"]
