"""Signing and delivering GitHub webhooks through the real view."""

import hashlib
import hmac
import json
import uuid

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from changelog_site.kv import client as kv
from tests.conftest import FIXTURES

SECRET = "It's a Secret to Everybody"  # the secret of GitHub's documented known answer


def sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def fixture_bytes(name):
    """A real payload, byte for byte as stored (``name`` like ``pull_request.closed.merged``)."""
    return (FIXTURES / "github" / "webhooks" / f"{name}.json").read_bytes()


def fixture_json(name):
    return json.loads(fixture_bytes(name))


def redis_down():
    """A client whose every command fails with the connection error an unreachable server gives."""
    return kv.use_client(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, decode_responses=True,
                                     retry=Retry(NoBackoff(), 0)))


def deliver(client, event, payload, *, delivery=None, secret=SECRET, signature=None,
            content_type="application/json", headers=None):
    """POST a delivery to /api/github/sync, signed like GitHub signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    extra = {"HTTP_X_GITHUB_EVENT": event, "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4()),
             "HTTP_X_HUB_SIGNATURE_256": signature if signature is not None else sign(body, secret)}
    extra.update(headers or {})
    return client.post("/api/github/sync", data=body, content_type=content_type, **extra)
