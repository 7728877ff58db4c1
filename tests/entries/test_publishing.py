from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import time_machine

from billing.models import Usage
from entries.models import Entry
from entries.publishing import (EntryNotFound, PlanLimitReached, entries_list, entry_discard, entry_publish,
                                entry_unpublish, entry_update)
from engagement.models import EntryUpvotes
from tests.factories import make_entry, make_user

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def free_user(redis_db):
    return make_user(plan="free")


def use_up(user, month, count, field="entriesPublished"):
    Usage(user.id, month).increment(field, count)


@time_machine.travel(MARCH, tick=False)
def test_it_publishes_a_draft_and_counts_it(free_user, redis_db):
    entry = make_entry(free_user, repo_id="acme/api")

    published = entry_publish(user_id=free_user.id, entry_id=entry.id)

    assert published.status == "published" and published.to_dict()["publishedAt"] == "2026-03-15T12:00:00Z"
    assert Entry.get_by_id(entry.id).status == "published"
    assert Entry.count(free_user.id, "draft") == 0 and Entry.count(free_user.id, "published", "acme/api") == 1
    assert redis_db.hget(f"usage:{free_user.id}:2026-03", "entriesPublished") == "1"


@time_machine.travel(MARCH, tick=False)
@pytest.mark.parametrize("used, allowed", [(8, True), (9, True), (10, False), (11, False)])
def test_it_enforces_the_free_limit_at_the_boundary(free_user, redis_db, used, allowed):
    use_up(free_user, "2026-03", used)
    entry = make_entry(free_user)

    if allowed:
        entry_publish(user_id=free_user.id, entry_id=entry.id)
        assert Usage(free_user.id, "2026-03").get()["entriesPublished"] == used + 1
    else:
        with pytest.raises(PlanLimitReached) as error:
            entry_publish(user_id=free_user.id, entry_id=entry.id)
        assert error.value.errors["limit"] == 10
        assert error.value.errors["usage"] == used
        assert Entry.get_by_id(entry.id).status == "draft"
        assert Usage(free_user.id, "2026-03").get()["entriesPublished"] == used


@time_machine.travel(MARCH, tick=False)
def test_it_lets_pro_users_publish_without_a_limit(redis_db):
    pro = make_user(plan="pro")
    use_up(pro, "2026-03", 500)

    entry_publish(user_id=pro.id, entry_id=make_entry(pro).id)

    assert Usage(pro.id, "2026-03").get()["entriesPublished"] == 501


@time_machine.travel(MARCH, tick=False)
def test_publishing_a_published_entry_costs_nothing(free_user):
    entry = make_entry(free_user)
    entry_publish(user_id=free_user.id, entry_id=entry.id)

    entry_publish(user_id=free_user.id, entry_id=entry.id)

    assert Usage(free_user.id, "2026-03").get()["entriesPublished"] == 1


def test_it_starts_each_utc_month_from_zero(free_user):
    entry = make_entry(free_user)
    with time_machine.travel(datetime(2026, 3, 31, 23, 59, 59, tzinfo=timezone.utc), tick=False):
        use_up(free_user, "2026-03", 10)
        with pytest.raises(PlanLimitReached):
            entry_publish(user_id=free_user.id, entry_id=entry.id)

    with time_machine.travel(datetime(2026, 4, 1, 0, 0, 1, tzinfo=timezone.utc), tick=False):
        entry_publish(user_id=free_user.id, entry_id=entry.id)

    assert Usage(free_user.id, "2026-04").get()["entriesPublished"] == 1


@time_machine.travel(MARCH, tick=False)
def test_fifty_concurrent_publishes_stop_exactly_at_the_limit(free_user, redis_db):
    drafts = [make_entry(free_user, pr_id=1000 + n) for n in range(50)]

    def publish(entry):
        try:
            entry_publish(user_id=free_user.id, entry_id=entry.id)
            return True
        except PlanLimitReached:
            return False

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(publish, drafts))

    assert outcomes.count(True) == 10
    assert redis_db.hget(f"usage:{free_user.id}:2026-03", "entriesPublished") == "10"
    assert Entry.count(free_user.id, "published") == 10 and Entry.count(free_user.id, "draft") == 40


@time_machine.travel(MARCH, tick=False)
def test_unpublishing_returns_to_drafts_without_a_refund(free_user):
    entry = make_entry(free_user)
    entry_publish(user_id=free_user.id, entry_id=entry.id)

    draft = entry_unpublish(user_id=free_user.id, entry_id=entry.id)

    assert draft.status == "draft" and draft.publishedAt is None
    assert Entry.count(free_user.id, "draft") == 1
    assert Usage(free_user.id, "2026-03").get()["entriesPublished"] == 1


def test_it_remembers_which_fields_the_user_edited(free_user, redis_db):
    entry = make_entry(free_user)

    updated = entry_update(user_id=free_user.id, entry_id=entry.id,
                           changes={"title": "Dark mode is here", "category": "Improved"})

    assert Entry.get_by_id(entry.id) == updated
    assert updated.title == "Dark mode is here"
    assert redis_db.smembers(f"meta:entry-edited:{entry.id}") == {"title", "category"}


def test_it_refuses_another_users_entry(free_user):
    entry = make_entry(make_user())

    with pytest.raises(EntryNotFound):
        entry_publish(user_id=free_user.id, entry_id=entry.id)
    with pytest.raises(EntryNotFound):
        entry_update(user_id=free_user.id, entry_id=entry.id, changes={"title": "mine now"})

    assert Entry.get_by_id(entry.id).title == entry.title


def test_discarding_deletes_the_entry_and_what_hangs_off_it(free_user, redis_db):
    entry = make_entry(free_user)
    EntryUpvotes(entry.id).upvote("v1")

    entry_discard(user_id=free_user.id, entry_id=entry.id)

    assert Entry.get_by_id(entry.id) is None
    assert redis_db.keys(f"*{entry.id}*") == []


def test_it_filters_by_category_label_and_title(free_user):
    for n in range(30):
        make_entry(free_user, pr_id=n + 1, category="Fixed" if n % 3 == 0 else "New",
                   labels=["bug"] if n % 3 == 0 else ["feature"], title=f"Change {n + 1}" + (" login" if n == 9 else ""))

    fixed, cursor = entries_list(user_id=free_user.id, status="draft", category="Fixed", limit=4)
    rest, end = entries_list(user_id=free_user.id, status="draft", category="Fixed", limit=20, cursor=cursor)
    by_label, _ = entries_list(user_id=free_user.id, status="draft", label="bug", limit=50)
    by_title, _ = entries_list(user_id=free_user.id, status="draft", query="LOGIN")

    assert len(fixed) == 4 and len(rest) == 6 and end is None
    assert {e.id for e in fixed}.isdisjoint({e.id for e in rest})
    assert len(by_label) == 10
    assert [e.prId for e in by_title] == [10]
