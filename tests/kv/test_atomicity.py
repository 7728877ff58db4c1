import socket
import threading

import pytest
import redis

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from entries.models import Entry
from repos.models import Repo
from tests.factories import make_user


class CuttingProxy:
    """A TCP proxy to the test Redis that, once ``armed``, lets through only the first command that
    is not MULTI and closes both connections before the next one: the connection drops in the middle
    of whatever the client sends next, as when a network or server fails halfway through a write."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed = False
        self.forwarded = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, db):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            redis_at = kv.get_client().connection_pool.connection_kwargs
            server = socket.create_connection((redis_at["host"], redis_at["port"]))
            threading.Thread(target=self._replies, args=(server, client), daemon=True).start()
            threading.Thread(target=self._commands, args=(client, server), daemon=True).start()

    @staticmethod
    def _replies(server, client):
        try:
            while data := server.recv(65536):
                client.sendall(data)
        except OSError:
            pass

    def _commands(self, client, server):
        reader = client.makefile("rb")
        while command := self._read_command(reader):
            name = command.split(b"\r\n")[2].upper()
            if self.armed and name != b"MULTI" and len(self.forwarded) == 1:
                self.listener.close()  # no second chance: the write is not sent again elsewhere
                for sock in (client, server):
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                return
            if self.armed and name != b"MULTI":
                self.forwarded.append(name.decode())
            server.sendall(command)

    @staticmethod
    def _read_command(reader):
        header = reader.readline()
        if not header.startswith(b"*"):
            return None
        raw = [header]
        for _ in range(int(header[1:])):
            length = reader.readline()
            raw += [length, reader.read(int(length[1:]) + 2)]
        return b"".join(raw)


def shiplog_keys(client):
    """Our keys only: a Celery broker of another test run may share this DB."""
    return {key for key in client.keys("*") if keys.parse(key)[0]}


def new_entry(user, pr_id=1):
    return Entry(userId=user.id, repoId="acme/api", prId=pr_id, title="Fix login", mergedAt="2026-03-09T12:00:00Z",
                 prUrl="https://github.com/acme/api/pull/1", author="octocat")


def test_it_writes_nothing_when_a_shared_transaction_aborts(redis_db):
    user = make_user()
    before = redis_db.dbsize()
    pipe = redis_db.pipeline(transaction=True)
    new_entry(user).save(pipe=pipe)
    Repo(userId=user.id, name="acme/api", githubRepoId=1).save(pipe=pipe)
    pipe.execute_command("SET", "only-one-argument")

    with pytest.raises(redis.ResponseError):
        pipe.execute()

    assert redis_db.dbsize() == before
    assert redis_db.keys("entry:*") == [] and redis_db.keys("idx:entr*") == []


def test_it_commits_saves_that_share_a_pipeline_together(redis_db):
    user = make_user()
    pipe = redis_db.pipeline(transaction=True)
    entry = new_entry(user).save(pipe=pipe)
    Repo(userId=user.id, name="acme/api", githubRepoId=1).save(pipe=pipe)

    assert redis_db.exists(entry.key()) == 0
    pipe.execute()

    assert Entry.get_by_id(entry.id) == entry
    assert Repo.get(user.id, "acme/api") is not None


def test_it_leaves_no_half_written_record_when_the_connection_drops_during_the_save(redis_db):
    user = make_user()
    before = shiplog_keys(redis_db)
    proxy = CuttingProxy()
    through_proxy = kv.make_client(proxy.url(redis_db.connection_pool.connection_kwargs["db"]))
    through_proxy.ping()  # the connection is set up (HELLO/SELECT) before the cut is armed
    proxy.armed = True

    with kv.use_client(through_proxy), pytest.raises(redis.ConnectionError):
        new_entry(user).save()

    assert proxy.forwarded == ["SET"]  # the record itself reached the server before the drop
    assert shiplog_keys(redis_db) == before


def test_it_retries_a_watched_transaction_after_a_concurrent_change(redis_db):
    redis_db.set("counter", 0)
    attempts = []

    def bump(pipe):
        value = int(pipe.get("counter"))
        attempts.append(value)
        if len(attempts) == 1:
            redis_db.set("counter", 100)
        pipe.multi()
        pipe.set("counter", value + 1)
        return value + 1

    assert kv.transaction(bump, "counter") == 101
    assert attempts == [0, 100]
