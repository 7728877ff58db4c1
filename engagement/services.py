"""The public changelog's owner analytics, and the one import path for the changelog's services.

The public changelog itself lives in modules of its own: ``read_model`` (the published entries,
a page at a time), ``page_cache`` (rendered bodies served in at most two round trips, versions,
page views), ``public_pages`` (what the pages, feeds and sitemap show), ``upvotes`` and
``branding``. Their names other apps use are imported here too, so ``engagement.services``
remains the way in (docs/public-changelog.md).
"""

from collections import Counter
from datetime import date, datetime, timedelta, timezone

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from engagement.branding import branding_get, branding_update  # noqa: F401
from engagement.page_cache import changelog_invalidate, changelog_version, page_view_record  # noqa: F401
from engagement.page_cache import version_moment  # noqa: F401
from engagement.public_pages import changelog_url, entry_url, releases_for_rows  # noqa: F401
from engagement.read_model import NotFound, changelog_listing  # noqa: F401
from engagement.upvotes import entries_upvoted, entry_upvote  # noqa: F401
from entries.models import Entry
from repos.models import Repo


def upvote_counts(entry_ids):
    if not entry_ids:
        return {}
    values = kv.get_client().mget([keys.entry_upvotes(entry_id) for entry_id in entry_ids])
    return {entry_id: int(value or 0) for entry_id, value in zip(entry_ids, values)}


def today():
    return datetime.now(timezone.utc).date()


# --- owner analytics --------------------------------------------------------------------------

ANALYTICS_MAX_DAYS = 90  # the repository's day figures are kept keys.REPO_STAT_DAYS
TOP_PER_DAY = 25
UPVOTES_RANKED = 100

def _days(start, end):
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def analytics_summary(*, user_id, repo_id, start, end, top=10):
    """Views and unique visitors per day of the repository's entry pages between ``start`` and ``end``
    (dates, inclusive; the last ``ANALYTICS_MAX_DAYS`` of it), the most viewed published entries of
    those days and the most upvoted of its ``UPVOTES_RANKED`` newest published ones.

    Reads the repository's figures of each day (``stat:repo-views-day``, and the ``TOP_PER_DAY``
    most viewed entries of ``stat:repo-top-day``, summed over the days), in one round trip: the
    cost grows with the days shown, never with the entries. An entry outside a day's top counts
    nothing for that day in the ranking (the daily totals count every view)."""
    if Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")
    if end < start:
        start, end = end, start
    start = max(start, end - timedelta(days=ANALYTICS_MAX_DAYS - 1))
    days = _days(start, end)
    pipe = kv.get_client().pipeline(transaction=False)
    for day in days:
        pipe.hmget(keys.stat_repo_views_day(repo_id, day.isoformat()), "views", "uniques")
        pipe.zrevrange(keys.stat_repo_top_day(repo_id, day.isoformat()), 0, TOP_PER_DAY - 1, withscores=True)
    pipe.zrevrange(keys.idx_repo_entries(user_id, repo_id, "published"), 0, UPVOTES_RANKED - 1)
    replies = pipe.execute()
    series, viewed = [], Counter()
    for index, day in enumerate(days):
        (views, uniques), best = replies[2 * index], replies[2 * index + 1]
        series.append({"day": day, "views": int(views or 0), "uniques": int(uniques or 0)})
        viewed.update({entry_id: int(count) for entry_id, count in best})
    newest = replies[-1]
    most_viewed = [entry_id for entry_id, _ in viewed.most_common(top * 3)]  # room for unpublished ones
    upvotes = upvote_counts(list(dict.fromkeys(newest + most_viewed)))
    most_upvoted = sorted((i for i in newest if upvotes[i]), key=lambda i: -upvotes[i])[:top]
    entries = {entry.id: entry for entry in Entry.get_many_by_ids(list(dict.fromkeys(most_viewed + most_upvoted)))
               if entry.status == "published" and entry.repoId == repo_id}

    def rows(ids):
        return [{"entry": entries[i], "views": viewed[i], "upvotes": upvotes[i]} for i in ids if i in entries]

    return {
        "repo_id": repo_id, "start": start, "end": end, "series": series,
        "total_views": sum(point["views"] for point in series),
        "total_uniques": sum(point["uniques"] for point in series),
        "most_viewed": rows(most_viewed)[:top],
        "most_upvoted": rows(most_upvoted),
    }


# Analytics ranges stay inside these days: date arithmetic near year 1 or 9999 overflows.
ANALYTICS_FIRST_DAY = date(2000, 1, 1)
ANALYTICS_LAST_DAY = date(2100, 12, 31)


def parse_range(start_text, end_text, default_days=30):
    end = today()
    start = end - timedelta(days=default_days - 1)
    try:
        if end_text:
            end = date.fromisoformat(end_text)
        if start_text:
            start = date.fromisoformat(start_text)
    except ValueError as error:
        raise ValidationError({"range": "dates must be YYYY-MM-DD"}) from error
    if not all(ANALYTICS_FIRST_DAY <= day <= ANALYTICS_LAST_DAY for day in (start, end)):
        raise ValidationError({"range": f"dates must be between {ANALYTICS_FIRST_DAY} and {ANALYTICS_LAST_DAY}"})
    return start, end
