"""Publishes per second and Redis round trips per publish.

Runs against BENCH_REDIS_URL (default redis://127.0.0.1:6379/10), a DB it flushes first.
Usage: .venv/bin/python bench/publish.py [--entries 2000] [--threads 1]
"""

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changelog_site.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402

from accounts.models import User  # noqa: E402
from changelog_site.kv.client import get_client  # noqa: E402
from entries.models import Entry  # noqa: E402
from entries.publishing import entry_publish  # noqa: E402


class RoundTrips:
    """Counts requests written to Redis sockets (a pipeline or script call is one)."""

    def __init__(self):
        self.count = 0
        self.original = redis.connection.AbstractConnection.send_packed_command

    def __enter__(self):
        counter = self

        def counting(connection, command, check_health=True):
            counter.count += 1
            return counter.original(connection, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = counting
        return self

    def __exit__(self, *exc):
        redis.connection.AbstractConnection.send_packed_command = self.original


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    client = get_client()
    client.flushdb()
    user = User(id="user_benchmarkabcdefghijklmn", email="bench@example.com", plan="pro").save()
    pipe = client.pipeline(transaction=False)
    drafts = []
    for n in range(args.entries):
        entry = Entry(userId=user.id, repoId="acme/api", prId=n + 1, title=f"Change {n}", body="Body " * 40,
                      mergedAt=f"2026-03-{n % 28 + 1:02d}T10:00:00Z", prUrl=f"https://github.com/acme/api/pull/{n}",
                      author="octocat", labels=["enhancement"])
        entry.save(pipe=pipe)
        drafts.append(entry.id)
    pipe.execute()
    entry_publish(user_id=user.id, entry_id=drafts.pop(), user=user)

    with RoundTrips() as trips:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(lambda entry_id: entry_publish(user_id=user.id, entry_id=entry_id, user=user), drafts))
        elapsed = time.perf_counter() - started

    published = client.zcard(f"idx:entries:{user.id}:published")
    assert published == args.entries, published
    print(f"publishes:               {len(drafts)} ({args.threads} thread(s))")
    print(f"publishes per second:    {len(drafts) / elapsed:,.0f}")
    print(f"mean latency:            {elapsed / len(drafts) * 1000 * args.threads:.2f} ms")
    print(f"round trips per publish: {trips.count / len(drafts):.2f}")
    client.flushdb()


if __name__ == "__main__":
    main()
