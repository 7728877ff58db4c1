"""The shipped web server: granian serving ``changelog_site.wsgi`` through its WSGI interface.

``python -m changelog_site.server [--host HOST] [--port PORT] [--access-log]`` (the Procfile's
``web`` line; ``manage.py run`` starts the same) replaces itself with granian (``exec``: the
supervisor sees granian itself, and its signals reach it), configured from the environment:

* ``WEB_WORKERS`` worker processes (default 2), ``WEB_THREADS`` blocking threads per worker
  running Django (default 4); the data's Redis connection pool is sized from ``WEB_THREADS``
  (``KV_MAX_CONNECTIONS`` in the settings, docs/deployment.md);
* it binds ``--host``/``--port``, else ``WEB_HOST`` and ``PORT``; with ``PORT`` set (a PaaS) and
  no ``WEB_HOST`` it binds 0.0.0.0, else 127.0.0.1 and 8000.

Measured on the 2-core development VM (docs/performance.md), granian's WSGI interface served a
bare Django view at 2.5–3.5× gunicorn's gthread workers and the cached changelog page at about 2×. gunicorn remains a documented alternative (``gunicorn changelog_site.wsgi --workers 2 --threads 4``).
"""

import argparse
import os
import sys

DEFAULT_WORKERS = 2
DEFAULT_THREADS = 4
KILL_TIMEOUT_SECONDS = 5


def settings_from_env(env=None):
    """``(workers, threads, host, port)`` from the environment."""
    env = os.environ if env is None else env
    port = env.get("PORT") or "8000"
    host = env.get("WEB_HOST") or ("0.0.0.0" if env.get("PORT") else "127.0.0.1")
    return (int(env.get("WEB_WORKERS") or DEFAULT_WORKERS), int(env.get("WEB_THREADS") or DEFAULT_THREADS),
            host, int(port))


def command(*, host, port, workers, threads, access_log=False, app="changelog_site.wsgi:application"):
    """granian's command line for this deployment (``app``: another WSGI application, for bench/run.py)."""
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--workers-kill-timeout", str(KILL_TIMEOUT_SECONDS), "--no-ws",
            "--access-log" if access_log else "--no-access-log", app]


def main(argv=None):
    workers, threads, host, port = settings_from_env()
    parser = argparse.ArgumentParser(prog="python -m changelog_site.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=host)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--access-log", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    os.environ["WEB_THREADS"] = str(threads)  # the settings size the Redis pool from it
    argv = command(host=args.host, port=args.port, workers=workers, threads=threads, access_log=args.access_log)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
