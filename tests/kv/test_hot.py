"""The public read path's connection (changelog_site.kv.hot): one write per batch, scripts loaded
when missing, a closed connection replaced before sending, and nothing ever sent twice."""

import hashlib
import threading
import uuid

import pytest
import redis
from django.conf import settings

from changelog_site.kv import client as kv
from changelog_site.kv import hot

# a source no server has seen (its own comment), so the first EVALSHA meets NOSCRIPT without a
# SCRIPT FLUSH, which would empty every other client's script cache on the server
COUNTER = f"-- {uuid.uuid4().hex}\nreturn redis.call('INCR', KEYS[1])"
COUNTER_SHA = hashlib.sha1(COUNTER.encode()).hexdigest()


def test_it_sends_a_batch_in_one_write_and_answers_each_command(redis_db, redis_writes):
    redis_db.set("greeting", "hello")
    hot.command("PING")
    redis_writes.clear()

    replies = hot.pipeline(("GET", "greeting"), ("SADD", "members", "a", "b"), ("SMEMBERS", "members"))

    assert replies[0] == "hello" and replies[1] == 2 and sorted(replies[2]) == ["a", "b"]
    assert len(redis_writes) == 1


def test_it_returns_an_error_reply_in_its_commands_place(redis_db):
    redis_db.set("text", "not a number")

    replies = hot.pipeline(("INCR", "text"), ("GET", "text"))

    assert isinstance(replies[0], redis.ResponseError) and replies[1] == "not a number"
    with pytest.raises(redis.ResponseError):
        hot.command("INCR", "text")


def test_it_loads_a_script_the_server_lacks_and_runs_it_once(redis_db):
    assert redis_db.script_exists(COUNTER_SHA) == [False]

    replies = hot.pipeline(("EVALSHA", COUNTER_SHA, 1, "runs"), ("GET", "runs"), scripts={COUNTER_SHA: COUNTER})

    assert replies == [1, "1"]
    assert redis_db.get("runs") == "1"


def test_it_replaces_a_connection_the_server_closed_while_it_was_idle(redis_db):
    connection_id = hot.command("CLIENT", "ID")

    redis_db.client_kill_filter(_id=connection_id)

    assert hot.command("PING") == "PONG"
    assert hot.command("CLIENT", "ID") != connection_id


def test_it_never_resends_a_command_whose_reply_was_lost(redis_db, monkeypatch):
    hot.command("PING")
    monkeypatch.setattr(redis.connection.Connection, "read_response",
                        lambda self, *args, **kwargs: (_ for _ in ()).throw(redis.ConnectionError("reply lost")))

    with pytest.raises(redis.ConnectionError):
        hot.command("INCR", "views")

    monkeypatch.undo()
    assert redis_db.get("views") == "1"
    assert hot.command("INCR", "views") == 2


def test_it_keeps_one_connection_per_thread(redis_db):
    ids = []

    def ask():
        ids.append((hot.command("CLIENT", "ID"), hot.command("CLIENT", "ID")))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(first == second for first, second in ids)
    assert len({first for first, _ in ids}) == 3


def test_it_follows_the_client_swapped_in(redis_db):
    before = hot.command("CLIENT", "ID")
    other = kv.make_client(settings.REDIS_URL)

    with kv.use_client(other):
        swapped = hot.command("CLIENT", "ID")
        other_ids = {int(line.split(" ")[0].removeprefix("id=")) for line in other.execute_command("CLIENT", "LIST")
                     .splitlines() if line}

    assert swapped != before and swapped in other_ids
    assert hot.command("CLIENT", "ID") not in (before, swapped)
