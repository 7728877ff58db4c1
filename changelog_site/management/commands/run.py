"""``python manage.py run``: migrate, collect static files, then run web, worker and beat together.

Like a Procfile runner (see ``Procfile``), with three differences that make a fresh clone work
with no configuration:

* this process owns the Redis they share: with ``REDIS_URL`` unset, importing the settings
  started (or found) the embedded server and put its URL in ``os.environ``, so the children
  inherit ``REDIS_URL`` and only connect to it; it stops when this command exits;
* with ``PUBLIC_BASE_URL`` unset, the children get the address the web server binds
  (``--port 8101``: links and emails on 8101), and the Site that allauth's emails name follows it;
* the children are supervised: each output line is prefixed with the child's name; on
  SIGINT/SIGTERM/SIGHUP, or as soon as one child exits, all of them get SIGTERM, then SIGKILL
  after ``STOP_TIMEOUT`` seconds. Each child runs in its own process group, so its own children
  (granian workers, Celery pool processes) are swept up too. On Linux a child also gets SIGTERM
  from the kernel should this process die without cleaning up (``kill -9``).

Why not honcho (a Python Foreman, fine for the ``Procfile``): it supervises through an extra
Python process per child, does not sweep a group whose leader already exited, and leaves the
children running on SIGHUP (terminal closed) or ``kill -9``; keeping those guarantees on top of it
would not be shorter than the supervision below.
"""

import ctypes
import ipaddress
import os
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

STOP_TIMEOUT = 10.0
PR_SET_PDEATHSIG = 1
COLORS = ["36", "33", "35", "32", "34"]


def _die_with_parent():
    """Linux: ask the kernel for SIGTERM when this command dies (runs in the child, before exec)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


DIE_WITH_PARENT = _die_with_parent if sys.platform.startswith("linux") else None


def public_base_url(host, port):
    """The base URL a browser on this machine uses for a web server bound to ``host:port``."""
    unspecified = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}
    host = unspecified.get(host, host)
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:  # a host name
        pass
    return f"http://{host}:{port}"


def processes(host, port):
    """The children, by name: the same three as the Procfile, run with this virtualenv's Python."""
    python = sys.executable
    return {
        "web": [python, "-m", "changelog_site.server", "--host", host, "--port", str(port), "--access-log"],
        "worker": [python, "-m", "celery", "-A", "changelog_site", "worker", "--loglevel", "INFO",
                   "--concurrency", "2"],
        "beat": [python, "-m", "celery", "-A", "changelog_site", "beat", "--loglevel", "INFO"],
    }


class Command(BaseCommand):
    help = ("Migrate, collect static files, then run the web server, a Celery worker and Celery beat "
            "on one Redis (the embedded one unless REDIS_URL is set) until interrupted.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address the web server binds (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port the web server binds (8000); PUBLIC_BASE_URL's too when unset")

    def handle(self, *args, host, port, **options):
        self.output_lock = threading.Lock()
        self.color = self.stdout.isatty()
        self.width = max(len(name) for name in ["system", *processes(host, port)])

        base_url = os.environ.get("PUBLIC_BASE_URL") or public_base_url(host, port)
        os.environ["PUBLIC_BASE_URL"] = base_url  # the children read it from their environment
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=1)
        self.update_site(base_url)
        redis_url = urlsplit(os.environ["REDIS_URL"])
        self.say(f"Redis at {redis_url.hostname}:{redis_url.port}{redis_url.path}; "
                 f"web at http://{host}:{port}/ (PUBLIC_BASE_URL {base_url})")

        self.stopping = None
        previous = {sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        self.children = {}
        try:
            self.start(processes(host, port))
            status = self.supervise()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        sys.exit(status)

    def update_site(self, base_url):
        """Point the Site (SITE_ID) at the base URL's host, which allauth's emails and the sitemaps name."""
        from django.contrib.sites.models import Site

        domain = urlsplit(base_url).netloc
        site, created = Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": "Shiplog"})
        if not created and site.domain != domain:
            site.domain = domain
            if site.name == "example.com":
                site.name = "Shiplog"
            site.save()
        Site.objects.clear_cache()

    # --- children ------------------------------------------------------------------------------

    def start(self, commands):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, command in commands.items():
            self.children[name] = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                process_group=0, preexec_fn=DIE_WITH_PARENT,
            )
            self.say(f"{name} started (pid {self.children[name].pid})")
        # Readers start after every fork, so no thread is running while preexec_fn does.
        self.readers = [threading.Thread(target=self.relay, args=(name, child), daemon=True)
                        for name, child in self.children.items()]
        for reader in self.readers:
            reader.start()

    def supervise(self):
        """Wait for a signal or for any child to exit; return this command's exit status."""
        while self.stopping is None:
            for name, child in self.children.items():
                if child.poll() is not None:
                    self.say(f"{name} exited with status {child.returncode}; stopping the others")
                    code = child.returncode
                    return 128 - code if code < 0 else code or 1  # killed by a signal: 128 + its number
            time.sleep(0.2)
        self.say(f"{signal.Signals(self.stopping).name} received; stopping")
        return 0

    def on_signal(self, signum, frame):
        if self.stopping is None:
            self.stopping = signum
        else:  # a second Ctrl-C: no more waiting
            self.say("stopping now")
            self.signal_groups(signal.SIGKILL)

    def stop(self):
        self.signal_leaders(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not stop within {STOP_TIMEOUT:.0f}s; killing it")
        # SIGKILL whatever is left in each group: a child that hung, or a grandchild that outlived it.
        self.signal_groups(signal.SIGKILL)
        for child in self.children.values():
            child.wait()
        for reader in getattr(self, "readers", []):
            reader.join(timeout=2)
        self.say("all processes stopped")

    def signal_leaders(self, signum):
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signum)

    def signal_groups(self, signum):
        for child in self.children.values():
            try:
                os.killpg(child.pid, signum)
            except ProcessLookupError:  # the whole group is gone
                pass

    # --- output --------------------------------------------------------------------------------

    def relay(self, name, child):
        for raw in iter(child.stdout.readline, b""):
            self.write(name, raw.decode(errors="replace").rstrip("\n"))
        child.stdout.close()

    def say(self, message):
        self.write("system", message)

    def write(self, name, line):
        label = f"{time.strftime('%H:%M:%S')} {name:<{self.width}} |"
        if self.color:
            names = ["system", "web", "worker", "beat"]
            color = COLORS[names.index(name) % len(COLORS)] if name in names else "0"
            label = f"\033[{color}m{label}\033[0m"
        with self.output_lock:
            self.stdout.write(f"{label} {line}", ending="\n")
            self.stdout.flush()
