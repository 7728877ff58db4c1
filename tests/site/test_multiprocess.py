"""Shiplog deployed beyond one process (docs/deployment.md): two web servers (granian) and two Celery
workers, started as the Procfile starts them, on one Redis DB (the tests' own) and one SQLite
database. A publish on one server shows on the other at once, a rate limit holds across both, and
a beat task delivered twice (a duplicated tick) to the two workers does its work once."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from celery import Celery
from django.conf import settings

from accounts.models import User
from changelog_site.settings import sibling_redis_url
from tests.billing.dodo_helpers import SECRET as DODO_SECRET
from tests.billing.dodo_helpers import sign, subscription_event
from tests.factories import make_entry, make_repo, make_user

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REPO = "octo-org/octo-repo"
API_WRITES_PER_MINUTE = 4


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, what, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} not ready within {timeout} s")


def answers(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


class Deployment:
    def __init__(self, directory):
        self.directory = directory
        self.ports = [free_port(), free_port()]
        self.servers = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.broker = sibling_redis_url(settings.REDIS_URL, 2)
        self.env = {name: value for name, value in os.environ.items()
                    if not name.startswith(("DJANGO_", "CELERY_", "CACHE_URL", "DATABASE_", "RATE_LIMIT_", "SECURE_"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="changelog_site.settings", REDIS_URL=settings.REDIS_URL,
            DATABASE_URL=f"sqlite:///{directory / 'shiplog.sqlite3'}", SHIPLOG_DATA_DIR=str(directory),
            SECRET_KEY="multi-process-" + "k" * 50, PUBLIC_BASE_URL=self.servers[0], ALLOWED_HOSTS="127.0.0.1",
            DODO_WEBHOOK_SECRET=DODO_SECRET, CELERY_RESULT_BACKEND=self.broker, CELERY_TASK_ALWAYS_EAGER="false",
            RATE_LIMIT_API_WRITES_PER_MINUTE=str(API_WRITES_PER_MINUTE), LOG_LEVEL="INFO")
        self.processes = []

    def manage(self, *args):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def spawn(self, name, command, **env):
        log = open(self.directory / f"{name}.log", "w")
        self.processes.append(subprocess.Popen(command, cwd=ROOT, env={**self.env, **env}, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True))

    def log(self, name):
        return (self.directory / f"{name}.log").read_text()

    def start(self):
        self.manage("migrate", "--noinput")
        for n, port in enumerate(self.ports):  # the Procfile's web line (granian), one worker each
            self.spawn(f"web{n}", [sys.executable, "-m", "changelog_site.server", "--port", str(port)],
                       WEB_WORKERS="1", WEB_THREADS="4")
        for n in range(2):  # the Procfile's worker line, one process each so both take a task
            self.spawn(f"worker{n}", [str(BIN / "celery"), "-A", "changelog_site", "worker", "--loglevel", "INFO",
                                      "--concurrency", "1", "--hostname", f"worker{n}@%h", "--without-gossip",
                                      "--without-mingle"])
        for server in self.servers:
            wait_until(lambda server=server: answers(server + "/healthz"), server)
        for n in range(2):
            wait_until(lambda n=n: " ready." in self.log(f"worker{n}"), f"worker{n}")

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def owner(self):
        """An account made in the servers' database (``make_account``, run by the deployment's
        ``manage.py shell``): its user record and the API token's ``Authorization`` header."""
        email = f"owner-{uuid.uuid4().hex[:8]}@example.com"  # each shell starts the factory's numbering anew
        user_id, authorization = self.manage("shell", "-c", (
            f"from tests.factories import make_account; made = make_account(email={email!r}); "
            "print(made.record.id, made.headers['HTTP_AUTHORIZATION'], sep='|')")).strip().splitlines()[-1].split("|")
        return User.get(user_id), {"Authorization": authorization}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    deployment = Deployment(tmp_path_factory.mktemp("deployment"))
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


def test_it_shows_a_publish_through_one_server_on_the_other_at_once(deployment):
    first, second = deployment.servers
    record, bearer = deployment.owner()
    make_repo(record, name=REPO)
    make_entry(record, repo_id=REPO, pr_id=1, title="Already out", status="published",
               publishedAt="2026-03-01T10:00:00Z")
    draft = make_entry(record, repo_id=REPO, pr_id=2, title="Shipped across servers")
    before = requests.get(f"{second}/changelog/{REPO}/", timeout=10)  # cached by the second server

    published = requests.post(f"{first}/api/entries/{draft.id}/publish/", headers=bearer, timeout=10)
    after = requests.get(f"{second}/changelog/{REPO}/", timeout=10)

    assert before.status_code == 200 and "Already out" in before.text and "Shipped across servers" not in before.text
    assert published.status_code == 200, published.text
    assert "Shipped across servers" in after.text


def test_it_holds_an_api_rate_limit_across_both_servers(deployment):
    if time.time() % 60 > 50:  # keep all the writes inside one minute's window
        time.sleep(61 - time.time() % 60)
    _, bearer = deployment.owner()
    servers = deployment.servers * API_WRITES_PER_MINUTE

    statuses = [requests.post(f"{server}/api/repos/", json={}, headers=bearer, timeout=10).status_code
                for server in servers[:API_WRITES_PER_MINUTE + 1]]

    assert statuses == [400] * API_WRITES_PER_MINUTE + [429]


def test_it_expires_on_hold_subscriptions_once_with_a_duplicated_beat_tick_and_two_workers(deployment):
    first = deployment.servers[0]
    users = [make_user(plan="pro") for _ in range(20)]
    period_end = time.time() + 5  # still paid for when the webhooks arrive; over when the ticks come
    for n, user in enumerate(users):
        event = subscription_event("subscription.on_hold", user_id=user.id, subscription_id=f"sub_multi{n:08d}",
                                   customer_id=f"cus_multi{n:08d}", at=time.time() - 60, next_billing=period_end)
        body = json.dumps(event, separators=(",", ":"))
        headers = {name[len("HTTP_"):].replace("_", "-").lower(): value
                   for name, value in sign(body, msg_id=f"msg_multi{n}").items()}
        reply = requests.post(f"{first}/api/billing/webhook", data=body, timeout=10,
                              headers={**headers, "Content-Type": "application/json"})
        assert reply.json() == {"status": "on_hold"}, reply.text
    time.sleep(max(0.0, period_end + 1 - time.time()))
    celery = Celery(broker=deployment.broker, backend=deployment.broker)

    ticks = [celery.send_task("billing.on_hold_expire") for _ in range(2)]
    moved = [tick.get(timeout=30) for tick in ticks]
    for tick in ticks:
        tick.forget()

    assert sorted(moved[0] + moved[1]) == sorted(user.id for user in users)
    assert all(f"billing.on_hold_expire[{tick.id}]" in deployment.log("worker0") + deployment.log("worker1")
               for tick in ticks)
    assert "billing.on_hold_expire" in deployment.log("worker0") and "billing.on_hold_expire" in deployment.log("worker1")
    assert {User.get(user.id).plan for user in users} == {"free"}
