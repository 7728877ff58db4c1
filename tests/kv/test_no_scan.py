"""List operations are served from index keys: no SCAN or KEYS ever reaches the server, and no page
loads a whole collection that grows without bound."""

from datetime import date
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiToken, User
from changelog_site.kv import keys
from engagement import subscriptions
from engagement.models import PageViews, Subscriber
from entries.models import Entry, SocialPost
from repos.models import Repo
from roadmap import watchers
from roadmap.models import RoadmapItem
from tests.factories import (make_entry, make_repo, make_roadmap_item, make_social, make_subscriber, make_user,
                             make_widget)
from widget.models import WidgetConfig

FORBIDDEN = {"SCAN", "KEYS", "SSCAN", "ZSCAN", "HSCAN"}


def test_it_lists_every_collection_without_scanning(redis_db, record_commands):
    user = make_user()
    make_repo(user, name="acme/api")
    entry = make_entry(user, repo_id="acme/api")
    make_social(user, entry)
    widget = make_widget(user, repo_id="acme/api")
    make_subscriber(repo_id="acme/api")
    make_roadmap_item(user, repo_id="acme/api")
    PageViews(entry.id).record(date(2026, 3, 9), "v1")

    with record_commands() as recorder:
        assert User.all_ids() == [user.id]
        assert len(Repo.for_user(user.id)) == 1
        assert Repo.user_ids_for("acme/api") == [user.id]
        assert len(Entry.page(user.id, "draft")[0]) == 1
        assert len(Entry.page(user.id, "draft", repo_id="acme/api")[0]) == 1
        assert Entry.get_by_id(entry.id) is not None
        assert len(SocialPost.for_entry(user.id, entry.id)) == 1
        assert WidgetConfig.get_by_id(widget.id) is not None
        assert len(Subscriber.for_repo("acme/api")) == 1
        assert len(RoadmapItem.for_repo(user.id, "acme/api")) == 1
        assert len(PageViews(entry.id).days()) == 1

    assert recorder.commands, "the recorder saw no command at all"
    assert not recorder.names() & FORBIDDEN


def test_the_recorder_does_see_a_scan(redis_db, record_commands):
    with record_commands() as recorder:
        list(redis_db.scan_iter(match="entry:*"))

    assert "SCAN" in recorder.names()


# Whole-collection reads a page may make, by key row, each with why the collection stays small.
BOUNDED = {
    "usage": "two counters (entriesPublished, aiRewrites) of one month",
    "idx_user_repos": "the repositories one person connected, each with a webhook they administer; pages list them all",
    "idx_repo_users": "the accounts that connected one GitHub repository: its admins, a team at most",
    "idx_social_platforms": "at most the two platforms, twitter and linkedin",
    "meta_dodo_payments": "one payment per paid month: a few dozen over an account's life, all on the billing page",
    "meta_github_token_check": "a fixed handful of fields (state, login, checkedAt, detail)",
    "meta_entry_github": "a fixed handful of fields (prUpdatedAt, revert, revertsPr)",
    "meta_backfill": "the fixed progress fields of one backfill",
    "meta_repo_disconnected": "one field per repository of the user's that GitHub deleted",
    "meta_repo_subscriptions": "the fixed settings fields of one repository",
    "meta_subscriber": "the fixed delivery fields of one subscriber",
    "stat_subscriber_mail": "four counters",
    "meta_roadmap_item": "the fixed fields the roadmap keeps beside one item",
    "meta_roadmap_sync": "the fixed progress fields of one import",
    "stat_widget_day": "one day of one widget: two totals and a count per entry clicked that day",
}
# Pages that read whole collections by design.
WHOLE_BY_DESIGN = {
    "api-me-export": "the account export is every record of the account",
}
# Known offenders in code being built or reworked elsewhere: strict xfail, so fixing one fails here
# until it leaves this list.
KNOWN_OFFENDERS = {}
WHOLE_READS = {"SMEMBERS", "HGETALL", "HKEYS", "HVALS"}
NOT_SHIPLOG_PAGES = ("admin/", "accounts/")  # Django's admin and allauth: library pages


def unbounded_reads(commands):
    """The commands among ``commands`` that scan the key space or read a whole collection of ours
    whose key row is not in ``BOUNDED``."""
    found = []
    for command in commands:
        name, *args = command.split(" ")
        name, upper = name.upper(), [arg.upper() for arg in args]
        if name in FORBIDDEN:
            found.append(command)
            continue
        row = keys.parse(args[0])[0] if args else None
        if row is None or row in BOUNDED:  # not our key (a Celery broker sharing the DB) or a small one
            continue
        whole = (
            name in WHOLE_READS
            or (name == "LRANGE" and args[2] == "-1")
            or (name in ("ZRANGE", "ZREVRANGE") and "LIMIT" not in upper and _whole_range(upper[1:3], upper))
            or (name in ("ZRANGEBYSCORE", "ZREVRANGEBYSCORE") and "LIMIT" not in upper
                and set(upper[1:3]) == {"-INF", "+INF"})
        )
        if whole:
            found.append(command)
    return found


def _whole_range(bounds, upper):
    if "BYSCORE" in upper:
        return set(bounds) == {"-INF", "+INF"}
    if "BYLEX" in upper:
        return set(bounds) == {"-", "+"}
    return bounds[1] == "-1"


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), pattern


def shiplog_pages():
    """Every named URL pattern of the project but the library pages, by name."""
    pages = {}
    for route, pattern in _patterns(get_resolver().url_patterns):
        if not route.lstrip("^").startswith(NOT_SHIPLOG_PAGES):
            pages.setdefault(pattern.name, pattern)
    return pages


PAGES = shiplog_pages()


def page_path(name, values, paths):
    """``paths[name]``, or the page's pattern with its placeholders filled from ``values``."""
    if name in paths:
        return paths[name]
    pattern = PAGES[name].pattern
    placeholders = list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
    missing = [placeholder for placeholder in placeholders if placeholder not in values]
    assert not missing, f"{name} has placeholders {missing}: give them a value in every_record"
    return reverse(name, kwargs={placeholder: values[placeholder] for placeholder in placeholders})


def path_of(url):
    return urlsplit(url).path


@pytest.fixture
def every_record(client, account):
    """A signed-in owner with one of everything a page can show: ``(client, bearer headers, values,
    paths)`` for ``page_path``."""
    user, django_user, bearer = account()
    client.force_login(django_user)
    make_repo(user, name="acme/api")
    draft = make_entry(user, repo_id="acme/api")
    entry = make_entry(user, repo_id="acme/api", status="published", publishedAt="2026-03-10T10:00:00Z")
    make_social(user, entry)
    widget = make_widget(user, repo_id="acme/api")
    subscriber = make_subscriber(repo_id="acme/api", confirmed=True)
    item = make_roadmap_item(user, repo_id="acme/api")
    PageViews(entry.id).record(date(2026, 3, 9), "v1")
    values = {"owner": "acme", "repo": "api", "entry_id": draft.id, "pr_id": entry.prId, "widget_id": widget.id,
              "roadmap_id": item.id, "issue_id": item.issueId, "token_id": ApiToken.objects.get().pk,
              "version": "0" * 12, "platform": "twitter", "action": "publish"}
    manage = subscriptions.manage_token("acme/api", subscriber.email)
    paths = {"subscription-confirm": path_of(subscriptions.confirm_url(subscriber, subscriber.preferences)),
             "subscription-unsubscribe": reverse("subscription-unsubscribe", kwargs={"token": manage}),
             "subscription-preferences": reverse("subscription-preferences", kwargs={"token": manage}),
             "roadmap-watch-confirm": path_of(watchers.confirm_url(item.id, "reader@example.com", "n1")),
             "roadmap-watch-stop": path_of(watchers.stop_url(item.id, "reader@example.com"))}
    return client, bearer, values, paths


def _page_params():
    for name in sorted(PAGES):
        if name in WHOLE_BY_DESIGN:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_OFFENDERS[name])] if name in KNOWN_OFFENDERS else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_page_params()))
def test_no_page_scans_or_loads_an_unbounded_collection(name, every_record, record_commands):
    client, bearer, values, paths = every_record
    path = page_path(name, values, paths)

    with record_commands() as recorder:
        response = client.get(path, **(bearer if path.startswith("/api/") else {}))

    assert response.status_code < 500
    assert unbounded_reads(recorder.commands) == []


def test_the_pages_checked_are_the_projects_own():
    assert {"dashboard-drafts", "public-changelog", "api-entries", "api-widget-data"} <= PAGES.keys()
    assert not any(name.startswith(("admin", "account_")) for name in PAGES)


@pytest.mark.parametrize("command, caught", [
    ("ZRANGE idx:entries:u1:draft 0 -1", True),
    ("ZRANGE idx:entries:u1:draft 0 19", False),
    ("ZREVRANGE idx:changelog:acme/api 0 -1 WITHSCORES", True),
    ("ZRANGE idx:changelog:acme/api +inf -inf BYSCORE REV", True),
    ("ZRANGE idx:changelog:acme/api +inf -inf BYSCORE REV LIMIT 0 20", False),
    ("ZRANGEBYSCORE meta:dodo-on-hold -inf +inf", True),
    ("ZRANGEBYSCORE meta:dodo-on-hold -inf 1700000000", False),
    ("SMEMBERS idx:subscribers:acme/api", True),
    ("SMEMBERS idx:user-repos:u1", False),
    ("SMEMBERS _kombu.binding.celery", False),
    ("LRANGE meta:notices:u1 0 -1", True),
    ("LRANGE meta:notices:u1 0 9", False),
    ("KEYS entry:*", True),
])
def test_the_check_knows_a_whole_collection_read_from_a_page_of_it(command, caught):
    assert bool(unbounded_reads([command])) == caught
