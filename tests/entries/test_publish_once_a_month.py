"""An entry counts once a month toward "entries published this month", however often it is
unpublished and published again; checked and counted in the publish script itself."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import time_machine

from billing.models import Usage
from changelog_site.kv import keys
from entries.models import Entry
from entries.publishing import PlanLimitReached, entry_publish, entry_unpublish
from tests.factories import make_entry, make_user

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
APRIL = datetime(2026, 4, 2, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def free_user(redis_db):
    return make_user(plan="free")


def published_count(user, month="2026-03"):
    return Usage(user.id, month).get()["entriesPublished"]


@time_machine.travel(MARCH, tick=False)
def test_it_counts_a_republished_entry_once_a_month(free_user):
    entry = make_entry(free_user)

    for _ in range(3):
        entry_publish(user_id=free_user.id, entry_id=entry.id)
        entry_unpublish(user_id=free_user.id, entry_id=entry.id)
    entry_publish(user_id=free_user.id, entry_id=entry.id)

    assert published_count(free_user) == 1
    assert Entry.get_by_id(entry.id).status == "published"


@time_machine.travel(MARCH, tick=False)
def test_it_republishes_an_entry_counted_this_month_at_the_limit(free_user):
    entry = make_entry(free_user)
    entry_publish(user_id=free_user.id, entry_id=entry.id)
    entry_unpublish(user_id=free_user.id, entry_id=entry.id)
    Usage(free_user.id, "2026-03").increment("entriesPublished", 9)

    entry_publish(user_id=free_user.id, entry_id=entry.id)

    assert published_count(free_user) == 10
    with pytest.raises(PlanLimitReached):
        entry_publish(user_id=free_user.id, entry_id=make_entry(free_user).id)


def test_it_counts_the_entry_again_in_a_new_month(free_user):
    entry = make_entry(free_user)
    with time_machine.travel(MARCH, tick=False):
        entry_publish(user_id=free_user.id, entry_id=entry.id)
        entry_unpublish(user_id=free_user.id, entry_id=entry.id)
    with time_machine.travel(APRIL, tick=False):
        entry_publish(user_id=free_user.id, entry_id=entry.id)

    assert published_count(free_user, "2026-03") == 1 and published_count(free_user, "2026-04") == 1


@time_machine.travel(MARCH, tick=False)
def test_it_keeps_the_counted_entries_under_our_own_expiring_key(free_user, redis_db):
    entry = make_entry(free_user)

    entry_publish(user_id=free_user.id, entry_id=entry.id)

    counted = keys.lock_usage_counted(free_user.id, "2026-03")
    assert counted.startswith("lock:") and redis_db.smembers(counted) == {entry.id}
    assert 0 < redis_db.ttl(counted) <= keys.USAGE_COUNTED_SECONDS


@time_machine.travel(MARCH, tick=False)
def test_it_counts_once_when_publishes_of_a_republished_entry_race(free_user):
    entry = make_entry(free_user)
    entry_publish(user_id=free_user.id, entry_id=entry.id)
    entry_unpublish(user_id=free_user.id, entry_id=entry.id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: entry_publish(user_id=free_user.id, entry_id=entry.id), range(16)))

    assert published_count(free_user) == 1
