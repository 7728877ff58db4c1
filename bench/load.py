"""Load generators for ``bench/run.py``: wrk when it is installed, else a built-in one.

Both drive ``connections`` keep-alive HTTP/1.1 connections for ``seconds`` and return a
``Result`` (requests per second, p99 latency, requests sent, non-2xx/3xx answers). A target is a
``Target``: a GET of one path, or requests made by ``make(n)`` (the n-th request's method, path,
headers and body), which wrk gets as a Lua script reading pre-built requests from a file.
"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
WRK_THREADS = 2


@dataclass
class Target:
    name: str
    path: str = "/"
    make: object = None  # n -> (method, path, headers, body bytes), for requests that must differ
    requests: int = 0  # how many distinct requests ``make`` can build (wrk cycles through them)
    headers: dict = field(default_factory=dict)


@dataclass
class Result:
    rate: float
    p99_ms: float
    sent: int
    failed: int


def have_wrk():
    return shutil.which("wrk") is not None


def run(port, target, seconds, connections, offset=0):
    """Drive ``target`` on 127.0.0.1:``port``; ``offset`` shifts ``make``'s numbering (rounds)."""
    if have_wrk():
        return _wrk(port, target, seconds, connections, offset)
    return asyncio.run(_builtin(port, target, seconds, connections, offset))


# --- wrk ----------------------------------------------------------------------------------------

LUA = r"""
local requests, count = {}, 0
local file = io.open("%(path)s", "rb")
while true do
    local length = file:read("*l")
    if not length then break end
    count = count + 1
    requests[count] = file:read(tonumber(length))
end
file:close()
local next_index = 0
local step = 1
function setup(thread)
    thread:set("first", next_index)
    next_index = next_index + 1
end
function init(args)
    next_index = first
    step = %(threads)d
end
function request()
    next_index = next_index + step
    return requests[(next_index - 1) %% count + 1]
end
"""


def _raw_request(port, method, path, headers, body):
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"User-Agent: {USER_AGENT}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "user-agent"]
    if headers.get("User-Agent"):
        lines[2] = f"User-Agent: {headers['User-Agent']}"
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def _wrk(port, target, seconds, connections, offset):
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "-H", f"User-Agent: {target.headers.get('User-Agent', USER_AGENT)}"]
    for name, value in target.headers.items():
        if name != "User-Agent":
            command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="shiplog-bench-wrk-") as directory:
        if target.make is not None:
            requests_path = os.path.join(directory, "requests")
            with open(requests_path, "wb") as out:
                for n in range(target.requests):
                    raw = _raw_request(port, *target.make(offset + n))
                    out.write(f"{len(raw)}\n".encode() + raw)
            script = os.path.join(directory, "requests.lua")
            with open(script, "w") as out:
                out.write(LUA % {"path": requests_path, "threads": WRK_THREADS})
            command += ["-s", script]
        done = subprocess.run(command + [f"http://127.0.0.1:{port}{target.path}"], capture_output=True, text=True,
                              check=True)
    return _parse_wrk(done.stdout)


def _duration_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _parse_wrk(output):
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _duration_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    sent = int(re.search(r"(\d+) requests in", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    problems = (int(failed.group(1)) if failed else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return Result(rate, p99, sent, problems)


# --- built-in -----------------------------------------------------------------------------------

async def _read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _builtin(port, target, seconds, connections, offset):
    counter = iter(range(offset, offset + 10**9))
    deadline = time.perf_counter() + seconds
    latencies, failed = [], [0]
    fixed = _raw_request(port, "GET", target.path, target.headers, None)

    async def connection():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            n = next(counter)
            if target.make is None:
                raw = fixed
            else:
                raw = _raw_request(port, *target.make(offset + (n - offset) % target.requests))
            started = time.perf_counter()
            writer.write(raw)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                failed[0] += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0.0
    return Result(len(latencies) / elapsed, p99, len(latencies), failed[0])


def json_body(data):
    return json.dumps(data, separators=(",", ":")).encode()
