"""The public widget endpoint on a cache hit against a hello-world Django view, under the shipped
server (the Procfile's gunicorn: 2 workers x 4 threads) in the same run; prints the ratio (the
target is >= 0.7), the Redis commands and round trips of one hit, and the gzipped size of the widget.

Starts gunicorn (bench.public_settings: the real settings plus a ``/bench/hello/`` route) on a free
port on 127.0.0.1, seeds BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, a DB it flushes before
and after) with one repository of 60 published entries and its widget, warms the widget's cached
body, then drives both endpoints with keep-alive HTTP/1.1 clients on threads, alternating them over
several rounds so load from elsewhere on the machine weighs on both alike (median and best rounds).
Commands per hit are counted in-process (Django's test client, every middleware) through MONITOR.

Usage: .venv/bin/python bench/widget.py [--requests 4000] [--concurrency 8] [--workers 2] [--threads 4] [--rounds 8]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.update(REDIS_URL=REDIS_URL, SHIPLOG_DATA_DIR=tempfile.mkdtemp(prefix="shiplog-bench-widget-"),
                  DJANGO_SETTINGS_MODULE="bench.public_settings", LOG_LEVEL="ERROR",
                  SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production-use-0123456789"))

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.public import BODY, REPO, drive, free_port, wait_until_up  # noqa: E402
from changelog_site.kv.client import get_client  # noqa: E402
from entries.models import Entry  # noqa: E402
from repos.models import Repo  # noqa: E402
from widget.models import WidgetConfig  # noqa: E402
from widget.public import loader_script, widget_script  # noqa: E402

USER_ID = "user_benchmarkwidgetabcdefghij"


def seed():
    client = get_client()
    client.flushdb()
    User(id=USER_ID, email="bench-widget@example.com", plan="pro").save()
    Repo(userId=USER_ID, name=REPO, githubRepoId=1296269).save()
    for n in range(1, 61):
        Entry(userId=USER_ID, repoId=REPO, prId=n, title=f"Dark mode, part {n}", body=BODY,
              category=("New", "Fixed", "Improved", "Other")[n % 4], status="published",
              mergedAt=f"2026-{(n % 3) + 1:02d}-{(n % 27) + 1:02d}T10:00:00Z", publishedAt="2026-03-10T10:00:00Z",
              prUrl=f"https://github.com/{REPO}/pull/{n}", author="octocat", labels=[]).save()
    return WidgetConfig(userId=USER_ID, repoId=REPO).save()


def cost_of_one_hit(path):
    """``(commands, round trips)`` the data's Redis sees for one GET on a warm cache, in-process
    (Django's test client: every middleware), through MONITOR on the data's DB only."""
    client = get_client()
    db = client.connection_pool.connection_kwargs.get("db", 0)
    connection_class = client.connection_pool.connection_class
    original, sent = connection_class.send_packed_command, []

    def counting(self, command, *args, **kwargs):
        sent.append(command)
        return original(self, command, *args, **kwargs)

    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (bench) Firefox/128.0")
    begin, end, commands = f"bench-begin-{uuid.uuid4().hex}", f"bench-end-{uuid.uuid4().hex}", []
    with client.monitor() as monitor:
        def listen():
            recording = False
            while True:
                seen = monitor.next_command()
                command = seen["command"]
                if begin in command:
                    recording = True
                elif end in command:
                    return
                elif recording and seen.get("db") == db:
                    commands.append(command.split(" ", 1)[0])

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        assert browser.get(path).status_code == 200  # warm: cached body, pooled connections
        client.echo(begin)
        connection_class.send_packed_command = counting
        try:
            assert browser.get(path).status_code == 200
        finally:
            connection_class.send_packed_command = original
        client.echo(end)
        listener.join(timeout=10)
    return commands, len(sent)


def interleaved(port, targets, total, concurrency, rounds):
    """Each endpoint's req/s per round over ``rounds`` alternating runs, so load from elsewhere on
    the machine weighs on both alike: ``({name: [rates]}, {name: statuses})``."""
    runs = {name: [] for name, _ in targets}
    statuses = {name: {} for name, _ in targets}
    for _ in range(rounds):
        for name, target in targets:
            rate, seen = drive(port, "GET", target, total // rounds, concurrency)
            runs[name].append(rate)
            for status, count in seen.items():
                statuses[name][status] = statuses[name].get(status, 0) + count
    return runs, statuses


def median(values):
    return sorted(values)[len(values) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()

    widget = seed()
    path = f"/api/widget/{widget.id}"
    commands, round_trips = cost_of_one_hit(path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "changelog_site.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--no-control-socket",
         "--log-level", "warning"],
        cwd=ROOT, env=dict(os.environ))
    try:
        wait_until_up(port)
        targets = [("hello-world view", "/bench/hello/"), ("widget data (hit)", path)]
        for _, target in targets:  # warm up: imports, connections, the cached body
            drive(port, "GET", target, 200, args.concurrency)
        print(f"gunicorn {args.workers} workers x {args.threads} threads on {os.cpu_count()} CPUs; "
              f"{args.requests} requests per endpoint in {args.rounds} alternating rounds, "
              f"{args.concurrency} keep-alive clients")
        runs, statuses = interleaved(port, targets, args.requests, args.concurrency, args.rounds)
        for name, _ in targets:
            print(f"  {name:<18} median {median(runs[name]):8.1f} req/s, best {max(runs[name]):8.1f}   "
                  f"statuses {statuses[name]}")
        hello, hit = runs["hello-world view"], runs["widget data (hit)"]
        print(f"widget data / hello-world = {median(hit) / median(hello):.2f} (medians), "
              f"{max(hit) / max(hello):.2f} (best rounds); target >= 0.7")
        print(f"Redis per cache hit: {len(commands)} commands ({' '.join(commands)}) in {round_trips} round trips")
        _, text, gzipped = widget_script()
        print(f"widget.js: {len(text)} bytes, {len(gzipped)} gzipped (limit 8192); loader {len(loader_script()[0])} bytes")
    finally:
        server.terminate()
        server.wait(timeout=30)
        get_client().flushdb()


if __name__ == "__main__":
    main()
