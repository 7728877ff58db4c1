"""Requests through the WSGI application the web server serves (``changelog_site.wsgi``: the front
door, then Django), which Django's test client, calling Django's handler directly, never enters."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from changelog_site import front
from changelog_site.wsgi import application


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    by_django: bool

    def __getitem__(self, name):
        return self.headers[name.lower()]

    def get(self, name, default=None):
        return self.headers.get(name.lower(), default)


@contextmanager
def _keeping_test_connections():
    """As Django's test client does: a test's database connection must outlive the request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class WSGIClient:
    """``get``/``head``/``post`` through ``application``; each ``Answer`` says whether Django answered
    (``by_django``) or the front door alone."""

    def __init__(self, **defaults):
        self.factory = RequestFactory(**defaults)

    def request(self, method, path, data=None, **extra):
        environ = getattr(self.factory, method)(path, *([data] if data is not None else []), **extra).environ
        django_answered = []

        def django(environ, start_response):
            django_answered.append(True)
            return application.app(environ, start_response)

        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = {name.lower(): value for name, value in headers}

        door = front.FrontDoor(django)
        with _keeping_test_connections():
            result = door(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return Answer(started["status"], started["headers"], body, bool(django_answered))

    def get(self, path, data=None, **extra):
        return self.request("get", path, data, **extra)

    def head(self, path, **extra):
        return self.request("head", path, **extra)

    def post(self, path, data=None, **extra):
        return self.request("post", path, data, **extra)
