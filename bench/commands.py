"""Redis commands per request: what one public page view, publish, webhook delivery or
upvote costs the single Redis server (docs/storage.md, "Single-shard Redis").

Runs the real settings in-process (Django's test client: every middleware and view) against
BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, a DB it flushes before and after, with Django's
cache on the DB beside it) and a throw-away SQLite. Commands are counted through MONITOR, only on
the data's and the cache's DBs, so other clients of the same server are left out; commands a Lua
script runs are counted apart. MONITOR sees every client of those DBs: run it where nothing else
uses them.

Usage: .venv/bin/python bench/commands.py [--requests 20]
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import sys
import tempfile
import threading
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-webhook-secret"
os.environ.update(REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
                  SHIPLOG_DATA_DIR=tempfile.mkdtemp(prefix="shiplog-bench-commands-"),
                  DJANGO_SETTINGS_MODULE="changelog_site.settings", GITHUB_WEBHOOK_SECRET=SECRET, LOG_LEVEL="ERROR",
                  SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789"))
for inherited in ("CACHE_URL", "CELERY_BROKER_URL"):
    os.environ.pop(inherited, None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Account, User  # noqa: E402
from accounts.services import api_token_create  # noqa: E402
from changelog_site.kv.client import get_client, make_client  # noqa: E402
from entries.models import Entry  # noqa: E402
from repos.models import Repo  # noqa: E402

REPO = "octo-org/octo-repo"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIXTURE = ROOT / "tests" / "fixtures" / "github" / "webhooks" / "pull_request.closed.merged.json"


class Monitor:
    """Counts the commands the server runs on ``dbs`` while the block runs."""

    LINE = re.compile(r'^[\d.]+ \[(\d+) (\S+)\] "([^"]*)"')

    def __init__(self, dbs):
        self.dbs = {str(db) for db in dbs}
        self.sent, self.scripted = Counter(), 0

    def __enter__(self):
        self.monitor = make_client(settings.REDIS_URL).monitor()
        self.monitor.__enter__()
        self.sentinel = f"bench-stop-{uuid.uuid4().hex}"
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        return self

    def _listen(self):
        while True:
            line = self.monitor.connection.read_response()
            line = line.decode() if isinstance(line, bytes) else line
            if self.sentinel in line:
                return
            match = self.LINE.match(line)
            if not match or match.group(1) not in self.dbs:
                continue
            if match.group(2) == "lua":
                self.scripted += 1
            else:
                self.sent[f"{match.group(3).upper()}@{match.group(1)}"] += 1

    def __exit__(self, *exc):
        get_client().echo(self.sentinel)
        self.thread.join(timeout=10)
        self.monitor.__exit__(*exc)


def db_of(url):
    return make_client(url).connection_pool.connection_kwargs.get("db", 0)


def measure(label, request, count):
    request()  # warm up: connections, scripts, caches
    with Monitor({db_of(settings.REDIS_URL), db_of(settings.CACHE_URL)}) as monitor:
        for _ in range(count):
            request()
    sent = sum(monitor.sent.values())
    detail = ", ".join(f"{name} {calls / count:.1f}" for name, calls in monitor.sent.most_common())
    print(f"{label:<58} {sent / count:6.1f} sent {monitor.scripted / count:6.1f} in scripts   ({detail})")


def seed(drafts):
    """A repository with 60 published entries and ``drafts`` drafts, and its owner's API token."""
    user = User(id="user_benchcommandsabcdefghijk", email="bench@example.com", plan="pro").save()
    Repo(userId=user.id, name=REPO, githubRepoId=1296269).save()
    for n in range(1, 61 + drafts):
        status = "published" if n <= 60 else "draft"
        Entry(userId=user.id, repoId=REPO, prId=n, title=f"Dark mode, part {n}", body="Adds **dark mode**.",
              category="New", status=status, mergedAt=f"2026-03-{(n % 27) + 1:02d}T10:00:00Z",
              publishedAt="2026-03-10T10:00:00Z" if status == "published" else None,
              prUrl=f"https://github.com/{REPO}/pull/{n}", author="octocat", labels=[]).save()
    django_user = get_user_model().objects.create_user(username=user.email, email=user.email)
    Account.objects.create(user=django_user, shiplog_user_id=user.id)
    _, token = api_token_create(django_user=django_user, name="bench")
    return user, token


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    count = parser.parse_args().requests

    redis = get_client()
    if db_of(settings.REDIS_URL) == 0:
        sys.exit("refusing to flush Redis DB 0: set BENCH_REDIS_URL to a spare DB")
    redis.flushdb()
    cache.clear()
    call_command("migrate", verbosity=0)
    user, token = seed(drafts=count + 1)
    reader = Client(HTTP_USER_AGENT=BROWSER)

    def after_a_change():
        Entry.get(user.id, REPO, 1).save()  # a new changelog version retires every cached page
        reader.get(f"/changelog/{REPO}/")

    drafts = iter(Entry.page(user.id, "draft", limit=count + 1)[0])
    payload = json.loads(FIXTURE.read_text())
    Repo(userId=user.id, name=payload["repository"]["full_name"], githubRepoId=payload["repository"]["id"],
         connectedAt="2020-01-01T00:00:00Z").save()
    numbers = iter(range(1000, 10**6))

    def deliver():
        payload["pull_request"]["number"] = next(numbers)
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        Client().post("/api/github/sync", data=body, content_type="application/json",
                      HTTP_X_GITHUB_EVENT="pull_request", HTTP_X_GITHUB_DELIVERY=str(uuid.uuid4()),
                      HTTP_X_HUB_SIGNATURE_256=signature)

    def upvote():
        n = next(numbers)
        Client(HTTP_USER_AGENT=f"{BROWSER} reader/{n}", REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
               ).post(f"/changelog/{REPO}/7/upvote/", HTTP_ACCEPT="application/json")

    print(f"Redis commands per request ({count} requests each; the data's and the cache's DBs)")
    measure("public changelog page, cached", lambda: reader.get(f"/changelog/{REPO}/"), count)
    measure("public changelog page, first after a change (+ the save)", after_a_change, count)
    measure("entry permalink, cached (counts the view)", lambda: reader.get(f"/changelog/{REPO}/5/"), count)
    measure("publish through the API", lambda: Client().post(f"/api/entries/{next(drafts).id}/publish/",
                                                             HTTP_AUTHORIZATION=f"Bearer {token}"), count)
    measure("webhook delivery (merged PR, 1 connected user)", deliver, count)
    measure("upvote (a new reader)", upvote, count)
    redis.flushdb()
    cache.clear()


if __name__ == "__main__":
    main()
