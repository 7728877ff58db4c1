"""Every Lua script declares in KEYS each key it touches (one shard: docs/storage.md), and is
never handed a key name any other way."""

import re
from datetime import date

import pytest

from changelog_site.kv import client as kv
from engagement.models import EntryUpvotes, PageViews, Visitor
from entries.publishing import entry_publish, entry_unpublish, entry_update
from tests.engagement.public_helpers import BASE, BROWSER, browser
from tests.factories import make_entry, make_repo, make_user
from tests.monitor import Monitor
from tests.wsgi_client import WSGIClient

pytestmark = pytest.mark.django_db


def snapshot(redis_db):
    return {key: (redis_db.dump(key), redis_db.ttl(key) > 0) for key in redis_db.keys("*")}


@pytest.fixture
def script_runs(redis_db, monkeypatch):
    """Each ``run_script`` call: (declared KEYS, ARGV, the keys it changed)."""
    runs = []
    run = kv.run_script

    def recording(source, *, keys, args):
        before = snapshot(redis_db)
        result = run(source, keys=keys, args=args)
        after = snapshot(redis_db)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        runs.append((list(keys), [str(arg) for arg in args], changed))
        return result

    monkeypatch.setattr(kv, "run_script", recording)
    return runs


def test_every_script_declares_every_key_it_changes(script_runs):
    user = make_user()
    make_repo(user, name="acme/api")
    entry = make_entry(user, repo_id="acme/api", pr_id=1)

    entry_update(user_id=user.id, entry_id=entry.id, changes={"title": "Dark mode", "category": "Improved"})
    entry_publish(user_id=user.id, entry_id=entry.id)
    entry_unpublish(user_id=user.id, entry_id=entry.id)
    EntryUpvotes(entry.id).upvote("reader-1")
    PageViews(entry.id).record(date(2026, 3, 9), "visitor-1")
    Visitor("visitor-1").touch(entry.id, "fingerprint")

    assert len(script_runs) == 6
    for declared, _, changed in script_runs:
        assert changed and changed <= set(declared)


class ScriptMonitor(Monitor):
    """What the server runs on the test DB, through MONITOR, which also shows the commands a Lua
    script calls: ``scripts`` lists each EVALSHA's declared KEYS with the keys its calls named."""

    LINE = re.compile(r'^[\d.]+ \[(\d+) (\S+)\] (.*)$')
    ARG = re.compile(r'"(.*?)(?<!\\)"')
    MULTI_KEY = {"DEL", "UNLINK", "EXISTS", "MGET"}

    def __init__(self, client):
        super().__init__(client)
        self.scripts = []

    def _listen(self):
        while True:
            line = self.monitor.connection.read_response()
            line = line.decode() if isinstance(line, bytes) else line
            if self.sentinel in line:
                return
            match = self.LINE.match(line)
            if not match or match.group(1) != str(self.db):
                continue
            args = self.ARG.findall(match.group(3))
            name = args[0].upper()
            if match.group(2) != "lua" and name in ("EVALSHA", "EVAL"):
                self.scripts.append((args[3:3 + int(args[2])], []))
            elif match.group(2) == "lua":
                self.scripts[-1][1].extend(args[1:] if name in self.MULTI_KEY else args[1:2])

    def runs(self):
        """The scripts that ran: an EVALSHA the server answered NOSCRIPT (not loaded yet; redis-py
        then loads the script and sends it again) called nothing."""
        return [(declared, named) for declared, named in self.scripts if named]


def test_every_key_a_script_reads_or_writes_is_declared_as_the_server_sees_it(redis_db):
    user = make_user()
    make_repo(user, name="acme/api")
    entry = make_entry(user, repo_id="acme/api", pr_id=1)

    with ScriptMonitor(redis_db) as monitor:
        entry_update(user_id=user.id, entry_id=entry.id, changes={"title": "Dark mode"})
        entry_publish(user_id=user.id, entry_id=entry.id)
        EntryUpvotes(entry.id).upvote("reader-1")
        PageViews(entry.id).record(date(2026, 3, 9), "visitor-1")
        Visitor("visitor-1").touch(entry.id, "fingerprint")

    assert len(monitor.runs()) == 5
    for declared, named in monitor.runs():
        assert set(named) <= set(declared)


def test_the_public_read_scripts_declare_every_key_they_touch(redis_db, no_front_routes):
    user = make_user()
    make_repo(user, name="octo-org/octo-repo")
    make_entry(user, repo_id="octo-org/octo-repo", pr_id=1, status="published", publishedAt="2026-03-10T10:00:00Z")
    reader = WSGIClient(HTTP_USER_AGENT=BROWSER)
    reader.get(f"{BASE}1/")  # Django renders and stores the page; COUNT_VIEW counts the view

    with ScriptMonitor(redis_db) as monitor:
        browser().get(f"{BASE}1/")  # Django, on a stored page: COUNT_VIEW_IF_CURRENT
        answer = reader.get(f"{BASE}1/")  # the front door: SERVE_HIT

    assert not answer.by_django
    assert len(monitor.runs()) == 2
    for declared, named in monitor.runs():
        assert set(named) <= set(declared)
