"""``run.py`` and ``manage.py run``: help at once, the public base URL of the bound port, no orphans."""

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management import call_command

from changelog_site.management.commands import run as run_command

ROOT = Path(__file__).resolve().parents[2]


def test_it_answers_help_before_creating_the_virtualenv(tmp_path):
    shutil.copy(ROOT / "run.py", tmp_path / "run.py")  # no requirements.txt beside it: installing would fail

    done = subprocess.run([sys.executable, str(tmp_path / "run.py"), "--help"], capture_output=True, text=True,
                          timeout=30)

    assert done.returncode == 0, done.stderr
    assert "--port PORT" in done.stdout and "test [pytest args]" in done.stdout
    assert not (tmp_path / ".venv").exists()


def test_it_refuses_a_bad_port_before_creating_the_virtualenv(tmp_path):
    shutil.copy(ROOT / "run.py", tmp_path / "run.py")

    done = subprocess.run([sys.executable, str(tmp_path / "run.py"), "--port", "web"], capture_output=True,
                          text=True, timeout=30)

    assert done.returncode == 2 and "invalid int value" in done.stderr
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize("host, port, expected", [
    ("127.0.0.1", 8101, "http://127.0.0.1:8101"),
    ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
    ("::", 9000, "http://[::1]:9000"),
    ("::1", 9000, "http://[::1]:9000"),
    ("shiplog.local", 80, "http://shiplog.local:80"),
])
def test_it_derives_the_public_base_url_from_the_bound_address(host, port, expected):
    assert run_command.public_base_url(host, port) == expected


@pytest.fixture
def quick_run(monkeypatch):
    """``manage.py run`` whose only child prints the PUBLIC_BASE_URL it was given, then exits."""
    monkeypatch.setattr(run_command, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(run_command, "processes", lambda host, port: {
        "web": [sys.executable, "-c", "import os; print('child base', os.environ['PUBLIC_BASE_URL'])"]})

    def run(*args):
        output = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("run", *args, stdout=output)
        return output.getvalue()

    return run


@pytest.mark.django_db
def test_it_gives_its_processes_and_the_site_the_port_it_binds(quick_run, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)

    output = quick_run("--port", "8101")

    assert "child base http://127.0.0.1:8101" in output
    assert Site.objects.get(pk=settings.SITE_ID).domain == "127.0.0.1:8101"


@pytest.mark.django_db
def test_it_keeps_a_public_base_url_that_is_set(quick_run, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://changelog.example.com")

    output = quick_run("--port", "8101")

    assert "child base https://changelog.example.com" in output
    assert Site.objects.get(pk=settings.SITE_ID).domain == "changelog.example.com"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(runner, port, log, timeout=120):
    """Until the web answers and the worker and beat are up (six processes under the runner)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert runner.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                healthy = response.status == 200
        except OSError:
            healthy = False
        descendants = psutil.Process(runner.pid).children(recursive=True)
        if healthy and len(descendants) >= 6 and "ready" in log.read_text():
            return descendants
        time.sleep(0.5)
    pytest.fail(f"manage.py run did not come up:\n{log.read_text()}")


@pytest.mark.slow
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_it_leaves_no_process_behind_when_stopped(tmp_path, stop_signal):
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "changelog_site.settings", "REDIS_URL": settings.REDIS_URL,
           "SHIPLOG_DATA_DIR": str(tmp_path)}
    env.pop("PUBLIC_BASE_URL", None)
    log = tmp_path / "run.log"
    with open(log, "w") as output:
        runner = subprocess.Popen([sys.executable, "manage.py", "run", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        descendants = wait_until_serving(runner, port, log)

        runner.send_signal(stop_signal)
        assert runner.wait(timeout=30) == 0, log.read_text()
    finally:
        if runner.poll() is None:
            runner.kill()

    gone, alive = psutil.wait_procs(descendants, timeout=5)
    assert [process.pid for process in alive] == []
    assert "all processes stopped" in log.read_text()
    assert f"PUBLIC_BASE_URL http://127.0.0.1:{port}" in log.read_text()
