"""Deliveries per second through POST /api/github/sync, and Redis commands per delivery.

Runs the real settings in-process (Django's test client: every middleware, the real view, HMAC
verification, the WATCH/MULTI write) against BENCH_REDIS_URL (default redis://127.0.0.1:6379/13,
a DB it flushes before and after) and a throw-away SQLite. Each delivery is a signed, merged
``pull_request`` (the real fixture payload, renumbered) for a repository connected by
``--users`` users, so every delivery creates that many drafts. Redis commands are counted from
``INFO commandstats`` deltas (the INFO calls themselves excluded).

Usage: .venv/bin/python bench/webhook.py [--deliveries 2000] [--users 1]
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-webhook-secret"
os.environ.update(REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                  SHIPLOG_DATA_DIR=tempfile.mkdtemp(prefix="shiplog-bench-webhook-"),
                  DJANGO_SETTINGS_MODULE="changelog_site.settings", GITHUB_WEBHOOK_SECRET=SECRET, LOG_LEVEL="ERROR",
                  SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from changelog_site.kv.client import get_client  # noqa: E402
from repos.models import Repo  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE = FIXTURES / "github" / "webhooks" / "pull_request.closed.merged.json"


def command_calls(client):
    stats = client.info("commandstats")
    return {name: value["calls"] for name, value in stats.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--users", type=int, default=1)
    args = parser.parse_args()

    redis = get_client()
    if redis.connection_pool.connection_kwargs.get("db", 0) == 0:
        sys.exit("refusing to flush Redis DB 0: set BENCH_REDIS_URL to a spare DB")
    redis.flushdb()
    call_command("migrate", verbosity=0)
    payload = json.loads(FIXTURE.read_text())
    repo = payload["repository"]
    for n in range(args.users):
        user = User(id=f"user_bench{n:04d}abcdefghijklmnopqrst", email=f"bench{n}@example.com", plan="pro",
                    createdAt="2026-03-09T12:00:00Z").save()
        Repo(userId=user.id, name=repo["full_name"], githubRepoId=repo["id"],
             connectedAt="2020-01-01T00:00:00Z").save()

    bodies = []
    for number in range(1, args.deliveries + 1):
        payload["pull_request"]["number"] = number
        body = json.dumps(payload).encode()
        bodies.append((body, "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()))
    client = Client()

    def deliver(body, signature):
        return client.post("/api/github/sync", data=body, content_type="application/json",
                           HTTP_X_GITHUB_EVENT="pull_request", HTTP_X_GITHUB_DELIVERY=str(uuid.uuid4()),
                           HTTP_X_HUB_SIGNATURE_256=signature)

    deliver(*bodies[0])  # warm up (connections, imports); not counted
    before = command_calls(redis)
    started = time.perf_counter()
    for body, signature in bodies[1:]:
        response = deliver(body, signature)
        if response.status_code != 200:
            sys.exit(f"unexpected answer {response.status_code}: {response.content[:200]!r}")
    elapsed = time.perf_counter() - started
    after = command_calls(redis)
    counted = args.deliveries - 1
    delta = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    delta.pop("cmdstat_info", None)
    total = sum(delta.values())
    drafts = sum(1 for _ in redis.scan_iter("entry:*", count=1000))
    redis.flushdb()

    print(f"{counted} deliveries, {args.users} connected user(s), {drafts} drafts written")
    print(f"deliveries per second: {counted / elapsed:.0f} ({elapsed * 1000 / counted:.2f} ms each)")
    print(f"Redis commands per delivery: {total / counted:.1f}")
    print("  " + ", ".join(f"{name.removeprefix('cmdstat_').upper()} {calls / counted:.1f}"
                           for name, calls in sorted(delta.items(), key=lambda item: -item[1]) if calls / counted >= 0.05))
    print("  (INFO commandstats is server-wide: other clients of the same Redis server are counted too)")


if __name__ == "__main__":
    main()
