"""The one HTTP client setup for the services Shiplog calls: GitHub, DodoPayments, the AI provider.

``session_shared(name, retry=...)`` gives the calling thread its ``requests.Session`` for one
service. Every session

* sends ``User-Agent: Shiplog`` (GitHub refuses requests without one);
* applies ``settings.HTTP_TIMEOUT`` to every request that does not pass its own ``timeout``
  (read when the request is sent, so a changed setting applies at once);
* retries through urllib3's ``Retry`` with exponential backoff, honouring ``Retry-After``.

The retry policies, and why:

* ``RETRY_IDEMPOTENT`` (the default): connection failures for any method (nothing was sent),
  and 429/500/502/503/504 only for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS). A POST
  or PATCH that reached the server is never repeated automatically: a second checkout or
  webhook must not be created because the first answer was lost.
* ``RETRY_ANY_METHOD``: the same, for POST too. For calls that change nothing until they
  succeed, like a chat completion (a failed one is neither stored nor charged).

Neither policy retries a read timeout: a server that did not answer within ``HTTP_TIMEOUT``
is unlikely to answer a second time, and the caller (often a web request) should not wait
several timeouts. A ``Retry-After`` longer than ``RETRY_AFTER_MAX`` seconds is not waited for:
the response is handed back so the caller can tell the user when to try again. After the last
attempt the last response is returned (``raise_on_status=False``), so callers map statuses the
way they always do.

Sessions are per thread and per process (gunicorn threads, Celery's forked pool), so no
connection pool is shared across a fork. Pages follow ``response.links["next"]``. The GitHub
backfill (a Celery task) waits out a spent rate limit for up to an hour; it can take
``session_shared("github")`` for the rest and keep only that wait of its own.
"""

import os
import threading

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

USER_AGENT = "Shiplog"
RETRY_AFTER_MAX = 10
RETRY_STATUSES = (429, 500, 502, 503, 504)


class BoundedRetry(Retry):
    """urllib3's ``Retry`` that gives up at once on a ``Retry-After`` over ``RETRY_AFTER_MAX``."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if response is not None and (self.get_retry_after(response) or 0) > RETRY_AFTER_MAX:
            raise MaxRetryError(_pool, url, ResponseError(f"Retry-After over {RETRY_AFTER_MAX}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)


RETRY_IDEMPOTENT = BoundedRetry(total=3, connect=2, read=False, status=2, other=0, backoff_factor=0.5,
                                backoff_max=4, status_forcelist=RETRY_STATUSES, raise_on_status=False,
                                respect_retry_after_header=True)
RETRY_ANY_METHOD = RETRY_IDEMPOTENT.new(allowed_methods=None)


class TimeoutAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose requests time out after ``settings.HTTP_TIMEOUT`` unless told otherwise."""

    def send(self, request, timeout=None, **kwargs):
        if timeout is None:
            from django.conf import settings

            timeout = settings.HTTP_TIMEOUT
        return super().send(request, timeout=timeout, **kwargs)


def session_create(*, retry=RETRY_IDEMPOTENT):
    """A new session with the User-Agent, the default timeout and ``retry``."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    adapter = TimeoutAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


_sessions = threading.local()


def session_shared(name, *, retry=RETRY_IDEMPOTENT):
    """This thread's session for the service ``name``, created on first use in this process."""
    key = (name, os.getpid())
    session = _sessions.__dict__.get(key)
    if session is None:
        session = _sessions.__dict__[key] = session_create(retry=retry)
    return session
