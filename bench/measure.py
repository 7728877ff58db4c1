"""What ``bench/run.py`` measures and prints, once the servers are up and the data seeded."""

import gzip
import http.client
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

from bench import load, seed
from bench.run import ROOT, commands_sent, round_trips, start_servers, stop_servers
from changelog_site.kv.client import get_client
from engagement.page_cache import changelog_invalidate

BROWSER = load.USER_AGENT
ENTRY_PR = 7
WEBHOOKS_PER_ROUND = 2000
UPVOTERS = 20000


def _targets(seeded, rounds):
    """``(row name, server, Target)`` in table order."""
    base = f"/changelog/{seed.REPO}/"
    per_round = len(seeded.drafts) // (rounds + 1)
    bearer = f"Bearer {seeded.token}"

    def upvote(n):
        return ("POST", f"{base}{ENTRY_PR}/upvote/",
                {"User-Agent": f"{BROWSER} reader/{n}", "Accept": "application/json"}, b"")

    def publish(n):
        draft = seeded.drafts[n % len(seeded.drafts)]
        return "POST", f"/api/entries/{draft}/publish/", {"Authorization": bearer}, b""

    def deliver(n):
        body, signature = seed.signed_delivery(seeded.payload, 100000 + n)
        headers = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": str(uuid.uuid4()),
                   "X-Hub-Signature-256": signature, "Content-Type": "application/json"}
        return "POST", "/api/github/sync", headers, body

    rows = [
        ("hello-world (granian)", "hello", load.Target("hello", "/")),
        ("hello-world (gunicorn)", "hello-gunicorn", load.Target("hello", "/")),
        ("/healthz", "app", load.Target("healthz", "/healthz")),
        ("changelog page", "app", load.Target("changelog", base)),
        ("changelog page (gunicorn)", "app-gunicorn", load.Target("changelog", base)),
        ("entry page (view counted)", "app", load.Target("entry", f"{base}{ENTRY_PR}/")),
        ("RSS feed", "app", load.Target("rss", f"{base}rss.xml")),
    ]
    if seeded.widget_id and _has_route("api-widget-data", widget_id=seeded.widget_id):
        rows.append(("widget JSON (cache hit)", "app", load.Target("widget", f"/api/widget/{seeded.widget_id}")))
    rows += [
        ("upvote (a new reader each)", "app", load.Target("upvote", make=upvote, requests=UPVOTERS)),
        ("publish through the API", "app", load.Target("publish", make=publish, requests=per_round)),
        ("webhook delivery (merged PR)", "app", load.Target("webhook", make=deliver, requests=WEBHOOKS_PER_ROUND)),
    ]
    return rows, per_round


def _has_route(name, **kwargs):
    try:
        reverse(name, kwargs=kwargs)
        return True
    except NoReverseMatch:
        return False


def _offset(target, round_number, per_round):
    """Where ``make`` starts numbering in a round: fresh drafts, PRs and readers every round."""
    size = {"publish": per_round, "webhook": WEBHOOKS_PER_ROUND, "upvote": UPVOTERS}.get(target.name, 0)
    return (round_number + 1) * size


class _ServedReader:
    """GETs through the WSGI application the server serves (the front door, then Django)."""

    def get(self, path):
        from changelog_site.wsgi import application

        environ = RequestFactory(HTTP_USER_AGENT=BROWSER).get(path).environ
        result = application(environ, lambda status, headers, exc_info=None: None)
        b"".join(result)
        getattr(result, "close", lambda: None)()


READS = {"healthz", "changelog", "entry", "rss", "widget"}


def _in_process_round_trips(seeded):
    """Round trips of one request of each kind, in this process (the served WSGI application for
    readers' GETs, Django's test client for the rest), as a server has them after its first
    readers: each is requested once first, a reader's GET twice (Django answers the first and
    teaches the front door the route; the front door's first answer opens its connection)."""
    reader = _ServedReader()
    base = f"/changelog/{seed.REPO}/"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {seeded.token}"}
    drafts = iter(seeded.warmup_drafts[-5:])
    deliveries = iter(range(900000, 900010))

    def deliver():
        body, signature = seed.signed_delivery(seeded.payload, next(deliveries))
        Client().post("/api/github/sync", data=body, content_type="application/json",
                      HTTP_X_GITHUB_EVENT="pull_request", HTTP_X_GITHUB_DELIVERY=str(uuid.uuid4()),
                      HTTP_X_HUB_SIGNATURE_256=signature)

    requests = {
        "healthz": lambda: reader.get("/healthz"), "changelog": lambda: reader.get(base),
        "entry": lambda: reader.get(f"{base}{ENTRY_PR}/"), "rss": lambda: reader.get(f"{base}rss.xml"),
        "widget": lambda: reader.get(f"/api/widget/{seeded.widget_id}"),
        "upvote": lambda: Client(HTTP_USER_AGENT=f"{BROWSER} once/{uuid.uuid4()}").post(
            f"{base}{ENTRY_PR}/upvote/", HTTP_ACCEPT="application/json"),
        "publish": lambda: Client().post(f"/api/entries/{next(drafts)}/publish/", **bearer),
        "webhook": deliver,
    }
    trips = {}
    for name, request in requests.items():
        request()
        if name in READS:  # the front door's first answer opens its connection and loads its script
            request()
        trips[name] = round_trips(request)
    return trips


def _first_page_latency(port, path, requests=150):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        connection.request("GET", path, headers={"User-Agent": BROWSER})
        connection.getresponse().read()
        timings.append(time.perf_counter() - started)
    connection.close()
    return statistics.median(timings) * 1000


def _after_a_change(port, repo_id, path):
    changelog_invalidate(repo_id=repo_id)
    return _first_page_latency(port, path, requests=1)


def flatness(port, rounds):
    """First-page latency (ms) with 10 and 10,000 published entries: cached, and rendered after a change."""
    small, large = f"/changelog/{seed.SMALL}/", f"/changelog/{seed.LARGE}/"
    cached = {small: [], large: []}
    changed = {small: [], large: []}
    for _ in range(rounds):
        for path in (small, large):
            cached[path].append(_first_page_latency(port, path))
    for _ in range(rounds * 5):
        for path, repo_id in ((small, seed.SMALL), (large, seed.LARGE)):
            changed[path].append(_after_a_change(port, repo_id, path))
    return ({path: statistics.median(values) for path, values in cached.items()},
            {path: statistics.median(values) for path, values in changed.items()}, small, large)


def _machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0] \
        if load.have_wrk() else "the built-in load generator (wrk not installed)"
    import granian
    import gunicorn

    return (f"{model}, {os.cpu_count()} CPUs; Python {platform.python_version()}; granian {granian.__version__}, "
            f"gunicorn {gunicorn.__version__}; load: {wrk.split(' [')[0]}")


def run(args, directory, env, private, started):
    seeded = seed.seed(drafts=12000, warmup_drafts=600)
    print(f"seeded in {time.monotonic() - started:.0f} s; starting servers", flush=True)
    servers = start_servers(env, args.workers, args.threads, directory)
    redis = get_client()
    try:
        rows, per_round = _targets(seeded, args.rounds)
        load_before = os.getloadavg()[0]
        warmup_drafts = seeded.warmup_drafts[:-5]
        for _, server, target in rows:  # warm up: imports, connections, scripts, the page cache
            if target.name == "publish":
                target = load.Target("publish", requests=len(warmup_drafts), make=lambda n: (
                    "POST", f"/api/entries/{warmup_drafts[n % len(warmup_drafts)]}/publish/",
                    {"Authorization": f"Bearer {seeded.token}"}, b""))
            load.run(servers[server][0], target, 1, args.connections)
        trips = _in_process_round_trips(seeded)
        results = {name: [] for name, _, _ in rows}
        for round_number in range(args.rounds):
            for name, server, target in rows:
                before = commands_sent(redis)
                result = load.run(servers[server][0], target, args.seconds, args.connections,
                                  offset=_offset(target, round_number, per_round))
                sent = commands_sent(redis) - before
                results[name].append((result, sent / max(result.sent, 1)))
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
        cached, changed, small, large = flatness(servers["app"][0], args.rounds)
        _report(args, rows, results, trips, private, cached, changed, small, large, load_before, per_round)
    finally:
        stop_servers(servers)
    print(f"\n(benchmark took {time.monotonic() - started:.0f} s)")


def _report(args, rows, results, trips, private, cached, changed, small, large, load_before, per_round):
    hello = {"granian": "hello-world (granian)", "gunicorn": "hello-world (gunicorn)"}
    print(f"\nMachine: {_machine()}")
    print(f"Servers: {args.workers} workers x {args.threads} threads; {args.connections} connections, "
          f"{args.rounds} interleaved rounds of {args.seconds} s per row; load average {load_before:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end\n")
    print("| request | req/s | p99 ms | ratio to hello-world | Redis commands / request | Redis round trips |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, server, target in rows:
        runs = results[name]
        baseline = results[hello["gunicorn" if "gunicorn" in server else "granian"]]
        ratios = [run.rate / base.rate for (run, _), (base, _) in zip(runs, baseline)]
        rate = statistics.median(run.rate for run, _ in runs)
        p99 = statistics.median(run.p99_ms for run, _ in runs)
        commands = statistics.median(per for _, per in runs) if private else float("nan")
        failed = sum(run.failed for run, _ in runs)
        note = f" ({failed} failed)" if failed else ""
        if target.name == "publish" and max(run.sent for run, _ in runs) > per_round:
            note += " (drafts ran out: some re-publishes)"
        trip = trips.get(target.name, 0) if not name.startswith("hello") else 0
        print(f"| {name}{note} | {rate:,.0f} | {p99:.1f} | {statistics.median(ratios):.2f} | {commands:.1f} | {trip} |")
    print(f"\nFirst page, 10 vs 10,000 published entries (and 1,000,000 other keys): cached "
          f"{cached[small]:.2f} ms vs {cached[large]:.2f} ms (ratio {cached[large] / cached[small]:.2f}); "
          f"rendered after a change {changed[small]:.1f} ms vs {changed[large]:.1f} ms "
          f"(ratio {changed[large] / changed[small]:.2f}; the 10,000 page shows 20 entries, the other 10)")
    script = ROOT / "static" / "widget" / "widget.js"
    if script.exists():
        text = script.read_bytes()
        print(f"Widget script: {len(text):,} bytes, {len(gzip.compress(text, 9)):,} gzipped")
    if not private:
        print("(Redis commands counted server-wide on a shared server: other clients are in the count)")
    sys.stdout.flush()
