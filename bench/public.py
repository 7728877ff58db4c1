"""Requests per second of the public changelog page and of an upvote, against a hello-world Django
view served by the same gunicorn in the same run; prints each as a ratio of hello-world.

Starts gunicorn (bench.public_settings: the real settings plus a ``/bench/hello/`` route and no
upvote rate limit) on a free port on 127.0.0.1, seeds BENCH_REDIS_URL (default
redis://127.0.0.1:6379/13, a DB it flushes before and after) with one repository of 60 published
entries and 20 drafts, then drives each endpoint with keep-alive HTTP/1.1 clients on threads for a
bounded number of requests. Every upvote comes from a new reader (its own User-Agent), so each one
runs the full Lua SADD+INCR path.

Usage: .venv/bin/python bench/public.py [--requests 2000] [--concurrency 8] [--workers 2] [--threads 4]
"""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
DATA_DIR = tempfile.mkdtemp(prefix="shiplog-bench-")
os.environ.update(REDIS_URL=REDIS_URL, SHIPLOG_DATA_DIR=DATA_DIR, DJANGO_SETTINGS_MODULE="bench.public_settings",
                  SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789"))

import django  # noqa: E402

django.setup()

from accounts.models import User  # noqa: E402
from changelog_site.kv.client import get_client  # noqa: E402
from engagement.models import EntryUpvotes  # noqa: E402
from entries.models import Entry  # noqa: E402
from repos.models import Repo  # noqa: E402

REPO = "octo-org/octo-repo"
BODY = """Adds **dark mode** across the app, following the system setting.

- Toggle in *Settings → Appearance*
- Respects `prefers-color-scheme`
- Fixes contrast of [links](https://example.com/docs) in code blocks

```css
:root { color-scheme: light dark; }
```
"""


def seed():
    client = get_client()
    client.flushdb()
    user = User(id="user_benchmarkabcdefghijklmn", email="bench@example.com", plan="pro").save()
    Repo(userId=user.id, name=REPO, githubRepoId=1296269).save()
    for n in range(1, 81):
        status = "published" if n <= 60 else "draft"
        Entry(userId=user.id, repoId=REPO, prId=n, title=f"Dark mode, part {n}", body=BODY,
              category=("New", "Fixed", "Improved", "Other")[n % 4], status=status,
              mergedAt=f"2026-{(n % 3) + 1:02d}-{(n % 27) + 1:02d}T10:00:00Z",
              publishedAt="2026-03-10T10:00:00Z" if status == "published" else None,
              prUrl=f"https://github.com/{REPO}/pull/{n}", author="octocat", labels=[]).save()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/hello/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def drive(port, method, path, total, concurrency):
    """Send ``total`` requests over ``concurrency`` keep-alive connections; returns (req/s, statuses)."""
    counter = iter(range(total))
    lock = threading.Lock()
    statuses = {}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            headers = {"User-Agent": f"Mozilla/5.0 (bench reader {n}) Firefox/128.0", "Accept": "application/json"}
            conn.request(method, path, headers=headers, body=b"" if method == "POST" else None)
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started), statuses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    seed()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "changelog_site.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
        cwd=ROOT, env=dict(os.environ))
    try:
        wait_until_up(port)
        targets = [("hello-world view", "GET", "/bench/hello/"),
                   ("changelog page", "GET", f"/changelog/{REPO}/"),
                   ("upvote", "POST", f"/changelog/{REPO}/1/upvote/")]
        for _, method, path in targets:  # warm up: imports, caches, script loading
            drive(port, method, path, 50, 2)
        print(f"gunicorn {args.workers} workers x {args.threads} threads on {os.cpu_count()} CPUs; "
              f"{args.requests} requests per endpoint, {args.concurrency} keep-alive clients")
        results = {}
        for name, method, path in targets:
            rate, statuses = drive(port, method, path, args.requests, args.concurrency)
            results[name] = rate
            print(f"  {name:<18} {rate:8.1f} req/s   statuses {statuses}")
        hello = results["hello-world view"]
        print(f"changelog page / hello-world = {results['changelog page'] / hello:.2f}")
        print(f"upvote / hello-world         = {results['upvote'] / hello:.2f}")
        entry = Entry.get("user_benchmarkabcdefghijklmn", REPO, 1)
        print(f"upvotes counted on entry #1: {EntryUpvotes(entry.id).count()} (one per distinct reader)")
    finally:
        server.terminate()
        server.wait(timeout=30)
        get_client().flushdb()


if __name__ == "__main__":
    main()
