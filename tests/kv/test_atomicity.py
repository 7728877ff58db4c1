import fakeredis
import pytest
import redis

from billing.models import User
from changelog_site.kv import client as kv
from entries.models import Entry
from repos.models import Repo
from tests.factories import make_user


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


def test_it_leaves_no_half_written_record_when_the_connection_drops():
    server = fakeredis.FakeServer()
    broken = fakeredis.FakeRedis(server=server, decode_responses=True)
    with kv.use_client(broken):
        server.connected = False
        with pytest.raises(redis.ConnectionError):
            new_entry(User(id="user_faultabcdefghijklmnopq", email="f@example.com")).save()
        server.connected = True

        assert broken.dbsize() == 0


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
