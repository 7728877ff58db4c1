"""The repository's day figures behind the owner's analytics: a reader's view of an entry page
counts into them in the view's own script, and the analytics page reads them, so its cost grows
with the days shown, not with the entries."""

from datetime import date, datetime, timedelta, timezone

import pytest

from changelog_site.kv import keys
from engagement import services
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published
from tests.factories import make_repo

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 9)


def test_a_readers_view_of_an_entry_page_counts_in_the_repositorys_day(redis_db):
    owner = connected()
    entry = published(owner, pr_id=1, title="Dark mode")
    today = datetime.now(timezone.utc).date()

    for reader in (browser(REMOTE_ADDR="203.0.113.7"), browser(REMOTE_ADDR="203.0.113.8")):
        assert reader.get(f"{BASE}1/").status_code == 200
    browser(REMOTE_ADDR="203.0.113.7").get(f"{BASE}1/")

    day = today.isoformat()
    assert redis_db.hgetall(keys.stat_repo_views_day(REPO, day)) == {"views": "3", "uniques": "2"}
    assert redis_db.zscore(keys.stat_repo_top_day(REPO, day), entry.id) == 3
    assert 0 < redis_db.ttl(keys.stat_repo_views_day(REPO, day)) <= keys.REPO_STAT_DAYS * 24 * 3600
    summary = services.analytics_summary(user_id=owner.id, repo_id=REPO, start=today, end=today)
    assert (summary["total_views"], summary["total_uniques"]) == (3, 2)
    assert [row["entry"].title for row in summary["most_viewed"]] == ["Dark mode"]


def test_it_ranks_the_most_viewed_over_the_days_and_leaves_unpublished_entries_out(redis_db):
    owner = connected()
    steady = published(owner, pr_id=1, title="Steady")
    spike = published(owner, pr_id=2, title="Spike")
    gone = published(owner, pr_id=3, title="Unpublished since", status="draft")
    for offset in range(3):
        for _ in range(2):
            services.page_view_record(entry_id=steady.id, day=DAY + timedelta(days=offset))
    for _ in range(5):
        services.page_view_record(entry_id=spike.id, day=DAY)
    for _ in range(9):
        services.page_view_record(entry_id=gone.id, day=DAY, repo_id=REPO)

    summary = services.analytics_summary(user_id=owner.id, repo_id=REPO, start=DAY, end=DAY + timedelta(days=2))

    assert [(row["entry"].title, row["views"]) for row in summary["most_viewed"]] == [("Steady", 6), ("Spike", 5)]
    assert [point["views"] for point in summary["series"]] == [16, 2, 2]


def test_it_shows_at_most_the_last_90_days_of_a_range():
    owner = connected()

    summary = services.analytics_summary(user_id=owner.id, repo_id=REPO, start=DAY - timedelta(days=400), end=DAY)

    assert len(summary["series"]) == services.ANALYTICS_MAX_DAYS and summary["end"] == DAY


def test_the_analytics_pages_cost_does_not_grow_with_the_entries(signed_in, record_commands):
    client, owner = signed_in
    make_repo(owner, name=REPO)
    query = {"repo": REPO, "start": DAY.isoformat(), "end": (DAY + timedelta(days=6)).isoformat()}

    def cost():
        with record_commands() as recorder:
            assert client.get("/dashboard/analytics/", query).status_code == 200
        return len([command for command in recorder.commands if not command.upper().startswith("SELECT")])

    def publish_and_view(numbers):
        for number in numbers:
            entry = published(owner, pr_id=number, title=f"Entry {number}")
            services.page_view_record(entry_id=entry.id, day=DAY + timedelta(days=number % 7))

    publish_and_view(range(1, 30))
    few = cost()
    publish_and_view(range(30, 130))

    assert cost() == few
