"""The public changelog readers see: listing, entry pages, upvotes, page views, branding, analytics.

Which entries show when several users connected the same repository: the published entries of
every user in ``idx:repo-users:{repo}``, deduplicated by PR number. When two users published the
same PR, the one published last wins (its text is the freshest edit); ties go to the smaller
userId. Order: newest ``mergedAt`` first, then higher PR number.

Caching: a repository's changelog has a *version* (a nanosecond timestamp in Django's cache,
bumped by ``changelog_invalidate``). The deduplicated listing and each entry's rendered HTML are
cached under that version, so a bump makes every cached piece unreachable at once (they expire on
their own a day later). Upvote counts are read live (one MGET per page) and folded into the ETag.
"""

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import urlencode
from datetime import date, datetime, timedelta, timezone

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from changelog_site.errors import ApiError
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import HEX_COLOR, ValidationError, iso, parse_iso, utc_now
from changelog_site.ratelimit import RateLimited, rate_limit_hit
from engagement.markdown import plain_text, render_markdown
from engagement.models import EntryUpvotes, PageViews, Visitor
from entries.models import CATEGORIES, Entry
from repos.models import Repo

PAGE_SIZE = 20
FEED_SIZE = 50
CACHE_SECONDS = 24 * 3600
BRANDING_NAME_MAX = 80
BRANDING_URL_MAX = 500
DEFAULT_ACCENT = "#4f46e5"


class NotFound(ApiError):
    def __init__(self, detail="This changelog page does not exist."):
        super().__init__(404, "not_found", detail)


# --- versions and invalidation --------------------------------------------------------------

def changelog_version(*, repo_id):
    """The repository's current changelog version (a string of digits); created on first use."""
    return _version_and_users(repo_id)[0]


def _version_and_users(repo_id):
    """The changelog version and who connected the repository, in one round trip."""
    key = keys.cache_changelog_version(repo_id)
    client = kv.get_client()
    pipe = client.pipeline(transaction=False)
    pipe.get(key)
    pipe.smembers(keys.idx_repo_users(repo_id))
    version, user_ids = pipe.execute()
    if version is None:  # never set, or expired (keys.CHANGELOG_VERSION_SECONDS): a new version
        client.set(key, str(time.time_ns()), nx=True, ex=keys.CHANGELOG_VERSION_SECONDS)
        version = client.get(key)
    return version, sorted(user_ids)


def changelog_invalidate(*, repo_id, pipe=None):
    """Retire every cached page, feed and rendered entry of ``repo_id``'s public changelog.

    ``Entry.save``/``delete`` already do this in their own transaction (``Entry.add_to_indexes``);
    call it for anything else that changes the page (branding, connect, disconnect). Pass ``pipe``
    to make it part of your own MULTI. Cheap: one SET.
    """
    with kv.atomic(pipe) as p:
        p.set(keys.cache_changelog_version(repo_id), str(time.time_ns()), ex=keys.CHANGELOG_VERSION_SECONDS)


def version_moment(version):
    return datetime.fromtimestamp(int(version) / 1e9, tz=timezone.utc).replace(microsecond=0)


# --- the listing ----------------------------------------------------------------------------

def _published_ids(repo_id, user_ids):
    pipe = kv.get_client().pipeline(transaction=False)
    for user_id in user_ids:
        pipe.zrevrange(keys.idx_repo_entries(user_id, repo_id, "published"), 0, -1)
    ids = []
    for batch in pipe.execute():
        ids.extend(batch)
    return ids


def _beats(entry, current):
    """Of two users' copies of one PR, the one published last wins; ties go to the smaller userId."""
    mine = entry.publishedAt or entry.mergedAt
    theirs = current.publishedAt or current.mergedAt
    return mine > theirs or (mine == theirs and entry.userId < current.userId)


def _build_listing(repo_id, user_ids):
    if not user_ids:
        return {"repoId": repo_id, "userIds": user_ids, "rows": []}
    winners = {}
    for entry in Entry.get_many_by_ids(_published_ids(repo_id, user_ids)):
        if entry.status != "published" or entry.repoId != repo_id or entry.userId not in user_ids:
            continue
        current = winners.get(entry.prId)
        if current is None or _beats(entry, current):
            winners[entry.prId] = entry
    rows = [{"id": e.id, "key": e.key(), "prId": e.prId, "category": e.category, "mergedAt": e.mergedAt,
             "publishedAt": e.publishedAt, "score": e.score()} for e in winners.values()]
    rows.sort(key=lambda row: (row["score"], row["prId"]), reverse=True)
    return {"repoId": repo_id, "userIds": user_ids, "rows": rows}


def changelog_listing(*, repo_id, version=None, user_ids=None):
    """The repository's published entries as compact rows, or None when nobody connected it.

    The cached listing remembers whose entries it merged; when the repository's users changed
    (a connect or disconnect), it is rebuilt, so a disconnected repository 404s at once."""
    if version is None or user_ids is None:
        version, user_ids = _version_and_users(repo_id)
    key = keys.cache_changelog_listing(repo_id, version)
    listing = cache.get(key)
    if listing is None or listing["userIds"] != user_ids:
        listing = _build_listing(repo_id, user_ids)
        cache.set(key, listing, timeout=CACHE_SECONDS)
    return listing if listing["userIds"] else None


def _encode_cursor(row):
    return base64.urlsafe_b64encode(f"{row['score']!r}|{row['prId']}".encode()).decode().rstrip("=")


def _decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, pr_id = text.split("|", 1)
        return float(score), int(pr_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": "is not a cursor this page gave out"}) from error


def _entry_text(entry):
    """What readers see: the AI rewrite unless the owner chose the original text (``textSource``
    in the editor), else the (possibly edited) body; ``Entry.public_text``."""
    return entry.public_text()


def entry_html(entry, version):
    key = keys.cache_changelog_entry_html(entry.id, version)
    html = cache.get(key)
    if html is None:
        html = render_markdown(_entry_text(entry))
        cache.set(key, html, timeout=CACHE_SECONDS)
    return html


def upvote_counts(entry_ids):
    if not entry_ids:
        return {}
    values = kv.get_client().mget([keys.entry_upvotes(entry_id) for entry_id in entry_ids])
    return {entry_id: int(value or 0) for entry_id, value in zip(entry_ids, values)}


def changelog_url(repo_id, absolute=False):
    owner, name = repo_id.split("/", 1)
    path = reverse("public-changelog", kwargs={"owner": owner, "repo": name})
    return settings.PUBLIC_BASE_URL + path if absolute else path


def entry_url(repo_id, pr_id, absolute=False):
    owner, name = repo_id.split("/", 1)
    path = reverse("public-entry", kwargs={"owner": owner, "repo": name, "pr_id": pr_id})
    return settings.PUBLIC_BASE_URL + path if absolute else path


def _etag(*parts):
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _present(entry, version, counts=None):
    return {
        "id": entry.id, "prId": entry.prId, "title": entry.title, "category": entry.category,
        "mergedAt": entry.mergedAt, "publishedAt": entry.publishedAt or entry.mergedAt,
        "prUrl": entry.prUrl if entry.prUrl.startswith(("https://", "http://")) else "",
        "author": entry.author, "labels": entry.labels, "html": entry_html(entry, version),
        "summary": plain_text(_entry_text(entry)), "upvotes": (counts or {}).get(entry.id, 0),
        "url": entry_url(entry.repoId, entry.prId), "absoluteUrl": entry_url(entry.repoId, entry.prId, True),
    }


def _release_present(raw):
    data = json.loads(raw)
    url = data.get("htmlUrl") or ""
    return {"id": str(data["id"]), "tag": data["tagName"], "name": data.get("name") or data["tagName"],
            "url": url if url.startswith("https://") else "", "publishedAt": parse_iso(data["publishedAt"])}


def releases_for_rows(*, repo_id, rows):
    """``(has_releases, {entryId: release or None})``: the release each row shipped in, the first
    one published at or after its ``mergedAt`` (None: merged after the newest release).

    One pipeline (ZCARD and a ``ZRANGEBYSCORE … LIMIT 0 1`` per row) and one HMGET, so the cost
    follows the page size, not the number of releases."""
    if not rows:
        return False, {}
    index = keys.meta_repo_releases(repo_id)
    pipe = kv.get_client().pipeline(transaction=False)
    pipe.zcard(index)
    for row in rows:
        pipe.zrangebyscore(index, row["score"], "+inf", start=0, num=1)
    count, *firsts = pipe.execute()
    if not count:
        return False, {}
    ids = sorted({first[0] for first in firsts if first})
    raws = kv.get_client().hmget(keys.meta_repo_release_data(repo_id), ids) if ids else []
    releases = {release_id: _release_present(raw) for release_id, raw in zip(ids, raws) if raw}
    return True, {row["id"]: releases.get(first[0]) if first else None for row, first in zip(rows, firsts)}


def _entry_groups(entries, by_release=False):
    """Consecutive entries under one heading. With releases: the release each shipped in, and
    "Unreleased" for those merged after the newest one (they come first, the listing being newest
    first). Without: the month of ``mergedAt``."""
    groups = []
    for entry in entries:
        release = entry.get("release")
        if by_release and release:
            group = {"kind": "release", "key": "release:" + release["id"], "label": release["name"],
                     "release": release}
        elif by_release:
            group = {"kind": "unreleased", "key": "unreleased", "label": "Unreleased"}
        else:
            label = entry["mergedAt"].strftime("%B %Y")
            group = {"kind": "month", "key": "month:" + label, "label": label}
        if not groups or groups[-1]["key"] != group["key"]:
            groups.append(dict(group, entries=[]))
        groups[-1]["entries"].append(entry)
    return groups


class ChangelogPage:
    """A page of a repository's changelog. ``etag``/``last_modified`` are known before rendering,
    so a conditional request is answered without loading or rendering any entry. The page itself
    (rows, rendered entries, branding) is cached under the changelog version; upvote counts are
    read live and folded into the ETag."""

    def __init__(self, *, repo_id, version, cached, category, cursor, key=None):
        self.key = key
        self.repo_id = repo_id
        self.version = version
        self.cached = cached
        self.rows = cached["rows"]
        self.next_cursor = cached["next_cursor"]
        self.category = category
        self.cursor = cursor
        self.total = cached["total"]
        self.counts = upvote_counts([row["id"] for row in self.rows])
        self.etag = _etag("page", repo_id, version, category, cursor, sorted(self.counts.items()))
        self.last_modified = version_moment(version)

    def page_path(self):
        query = urlencode([(name, value) for name, value in (("category", self.category), ("cursor", self.cursor))
                           if value])
        return changelog_url(self.repo_id) + (f"?{query}" if query else "")

    def entries_html(self, render):
        """The page's entries as HTML: ``render(context)`` runs once per changelog version (its
        output is cached with the page), with unguessable placeholders where the upvote counts go;
        the live counts are filled in on every request."""
        if "html" not in self.cached:
            nonce = secrets.token_hex(8)
            context = self.context()
            for entry in context["entries"]:
                entry["upvotes"] = f"UPV{nonce}{entry['id']}"
            self.cached = dict(self.cached, html=render(context), nonce=nonce)
            if self.key:
                cache.set(self.key, self.cached, timeout=CACHE_SECONDS)
        html, nonce = self.cached["html"], self.cached["nonce"]
        for entry_id, count in self.counts.items():
            html = html.replace(f"UPV{nonce}{entry_id}", str(count))
        return html

    def context(self):
        presented = [dict(entry, upvotes=self.counts.get(entry["id"], 0)) for entry in self.cached["entries"]]
        return {
            "repo_id": self.repo_id, "branding": self.cached["branding"], "entries": presented,
            "groups": _entry_groups(presented, self.cached.get("byRelease", False)), "next_cursor": self.next_cursor, "category": self.category,
            "cursor": self.cursor, "categories": CATEGORIES, "total": self.total, "page_path": self.page_path(),
            "canonical_url": changelog_url(self.repo_id, absolute=True), "home_url": changelog_url(self.repo_id),
            "rss_url": changelog_url(self.repo_id, True) + "rss.xml",
            "atom_url": changelog_url(self.repo_id, True) + "atom.xml",
        }


def _build_page(repo_id, version, user_ids, cursor, category, limit):
    listing = changelog_listing(repo_id=repo_id, version=version, user_ids=user_ids)
    if listing is None:
        raise NotFound()
    rows = [row for row in listing["rows"] if category is None or row["category"] == category]
    if cursor:
        after = _decode_cursor(cursor)
        rows = [row for row in rows if (row["score"], row["prId"]) < after]
    page = rows[:limit]
    by_id = {entry.id: entry for entry in Entry.get_many_by_keys([row["key"] for row in page])}
    page = [row for row in page if row["id"] in by_id]
    by_release, releases = releases_for_rows(repo_id=repo_id, rows=page)
    return {"userIds": user_ids, "rows": page, "total": len(listing["rows"]),
            "next_cursor": _encode_cursor(page[-1]) if len(rows) > limit and page else None,
            "entries": [dict(_present(by_id[row["id"]], version), release=releases.get(row["id"]))
                        for row in page],
            "byRelease": by_release, "branding": branding_get(repo_id=repo_id)}


def changelog_page(*, repo_id, cursor=None, category=None, limit=PAGE_SIZE):
    """A page of the public changelog: raises ``NotFound`` for an unknown or disconnected repo."""
    if category is not None and category not in CATEGORIES:
        raise ValidationError({"category": "must be one of " + ", ".join(CATEGORIES)})
    version, user_ids = _version_and_users(repo_id)
    if not user_ids:
        raise NotFound()
    key = keys.cache_changelog_page(repo_id, version, _etag(category, cursor, limit)[:16])
    cached = cache.get(key)
    if cached is None or cached["userIds"] != user_ids:
        cached = _build_page(repo_id, version, user_ids, cursor, category, limit)
        cache.set(key, cached, timeout=CACHE_SECONDS)
    return ChangelogPage(repo_id=repo_id, version=version, cached=cached, category=category, cursor=cursor, key=key)


def changelog_feed_items(*, repo_id, limit=FEED_SIZE):
    """The newest published entries, presented, for the RSS/Atom feeds and the sitemap."""
    page = changelog_page(repo_id=repo_id, limit=limit)
    return page, page.context()


def _find_row(repo_id, pr_id, version=None, user_ids=None):
    listing = changelog_listing(repo_id=repo_id, version=version, user_ids=user_ids)
    if listing is None:
        raise NotFound()
    for row in listing["rows"]:
        if row["prId"] == pr_id:
            return row
    raise NotFound("This entry is not on the changelog.")


class EntryPage:
    def __init__(self, *, repo_id, pr_id):
        self.repo_id = repo_id
        self.version, user_ids = _version_and_users(repo_id)
        self.row = _find_row(repo_id, pr_id, self.version, user_ids)
        self.counts = upvote_counts([self.row["id"]])
        self.etag = _etag("entry", repo_id, self.version, pr_id, self.counts[self.row["id"]])
        self.last_modified = version_moment(self.version)

    @property
    def entry_id(self):
        return self.row["id"]

    def context(self):
        entry = Entry.get_by_key(self.row["key"])
        if entry is None or entry.status != "published":
            raise NotFound("This entry is not on the changelog.")
        return {"repo_id": self.repo_id, "branding": branding_get(repo_id=self.repo_id),
                "entry": _present(entry, self.version, self.counts),
                "canonical_url": entry_url(self.repo_id, entry.prId, absolute=True),
                "home_url": changelog_url(self.repo_id),
                "rss_url": changelog_url(self.repo_id, True) + "rss.xml",
                "atom_url": changelog_url(self.repo_id, True) + "atom.xml"}


def changelog_entry(*, repo_id, pr_id):
    """One published entry of the public changelog; ``NotFound`` for drafts and unknown PRs."""
    return EntryPage(repo_id=repo_id, pr_id=pr_id)


# --- upvotes and page views -------------------------------------------------------------------

def entry_upvote(*, repo_id, pr_id, voter_id, ip_hash):
    """Count a reader's upvote once (Lua: SADD the voter, INCR only when new).

    ``voter_id`` is the reader's id or a callable giving it for an entry id (voter ids are scoped
    to one entry, see ``privacy.voter_id``).

    Rate-limited per (hashed) IP in ``rl:upvote:…``; raises ``RateLimited`` (429) past the limit
    and ``NotFound`` for anything not published. Returns ``{"entryId", "prId", "count", "counted"}``.
    """
    row = _find_row(repo_id, pr_id)
    rate_limit_hit(name="upvote", subject=ip_hash, limit=settings.UPVOTE_RATE_LIMIT,
                   window_seconds=settings.UPVOTE_RATE_WINDOW)
    counted, count = EntryUpvotes(row["id"]).upvote(voter_id(row["id"]) if callable(voter_id) else voter_id)
    return {"entryId": row["id"], "prId": pr_id, "count": count, "counted": counted}


UPVOTED_CHECK_LIMIT = 50


def entries_upvoted(*, repo_id, pr_ids, voter_id):
    """The PR numbers among ``pr_ids`` (the first ``UPVOTED_CHECK_LIMIT``) whose entries this reader
    has upvoted: one SISMEMBER each, pipelined. The changelog page is the same (cached) for every
    reader, so it asks for this after loading to show "you upvoted". ``voter_id`` gives the reader's
    id for an entry id (``privacy.voter_id``: cookieless, scoped to one entry)."""
    listing = changelog_listing(repo_id=repo_id)
    if listing is None:
        raise NotFound()
    wanted = set(list(pr_ids)[:UPVOTED_CHECK_LIMIT])
    rows = [row for row in listing["rows"] if row["prId"] in wanted]
    if not rows:
        return []
    with kv.get_client().pipeline(transaction=False) as pipe:
        for row in rows:
            pipe.sismember(keys.entry_upvoters(row["id"]), voter_id(row["id"]))
        voted = pipe.execute()
    return sorted(row["prId"] for row, mine in zip(rows, voted) if mine)


def today():
    return datetime.now(timezone.utc).date()


def page_view_record(*, entry_id, visitor_id=None, day=None, ip_hash=None):
    """Count one view of an entry: ``analytics:views:{entryId}:{day}`` always; with a visitor id
    (none for DNT/GPC readers) the day's uniques and ``analytics:visitor:{visitorId}`` too.

    With ``ip_hash``, only ``RATE_LIMITS["page-view"]`` views per IP and window are counted (the
    page still shows, so a reloading script cannot inflate the figures); ``None`` when not counted."""
    if ip_hash is not None:
        limit, window = settings.RATE_LIMITS["page-view"]
        try:
            rate_limit_hit(name="page-view", subject=ip_hash, limit=limit, window_seconds=window)
        except RateLimited:
            return None
    views, uniques = PageViews(entry_id).record(day or today(), visitor_id=visitor_id)
    if visitor_id:
        Visitor(visitor_id).touch(entry_id, fingerprint=visitor_id)
    return views, uniques


# --- branding ---------------------------------------------------------------------------------

def branding_get(*, repo_id):
    raw = kv.get_client().get(keys.meta_repo_branding(repo_id))
    data = json.loads(raw) if raw else {}
    return {"name": data.get("name") or repo_id, "logoUrl": data.get("logoUrl") or "",
            "accentColor": data.get("accentColor") or DEFAULT_ACCENT, "updatedAt": data.get("updatedAt"),
            "custom": bool(raw)}


def branding_update(*, user_id, repo_id, name=None, logo_url=None, accent_color=None):
    """Set a repository's public branding; only a user who connected the repository may."""
    if Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")
    errors = {}
    name = (name or "").strip()
    logo_url = (logo_url or "").strip()
    accent_color = (accent_color or "").strip()
    if len(name) > BRANDING_NAME_MAX:
        errors["name"] = f"must be at most {BRANDING_NAME_MAX} characters"
    if logo_url and (not logo_url.startswith("https://") or len(logo_url) > BRANDING_URL_MAX
                     or any(ch in logo_url for ch in "\"'<> \\")):
        errors["logoUrl"] = "must be an https:// URL"
    if accent_color and not HEX_COLOR.match(accent_color):
        errors["accentColor"] = "must be a hex color like #1f6feb"
    if errors:
        raise ValidationError(errors)
    record = {"name": name or None, "logoUrl": logo_url or None, "accentColor": accent_color or None,
              "updatedAt": iso(utc_now())}
    kv.get_client().set(keys.meta_repo_branding(repo_id), json.dumps(record, separators=(",", ":")))
    changelog_invalidate(repo_id=repo_id)
    return branding_get(repo_id=repo_id)


# --- owner analytics --------------------------------------------------------------------------

def _days(start, end):
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def analytics_summary(*, user_id, repo_id, start, end, top=10):
    """Views and unique visitors per day over the user's published entries of ``repo_id``, and the
    most viewed and most upvoted entries, between ``start`` and ``end`` (dates, inclusive)."""
    if Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")
    if end < start:
        start, end = end, start
    start = max(start, end - timedelta(days=365))
    ids = kv.get_client().zrevrange(keys.idx_repo_entries(user_id, repo_id, "published"), 0, -1)
    entries = Entry.get_many_by_ids(ids)
    days = _days(start, end)
    pipe = kv.get_client().pipeline(transaction=False)
    for entry in entries:
        for day in days:
            pipe.hmget(keys.page_views(entry.id, day.isoformat()), "views", "uniqueVisitors")
    results = pipe.execute(raise_on_error=False)
    per_day = {day: {"views": 0, "uniques": 0} for day in days}
    per_entry = {entry.id: 0 for entry in entries}
    position = 0
    for entry in entries:
        for day in days:
            result = results[position]
            position += 1
            if isinstance(result, Exception):  # the document's plain-JSON form, written elsewhere
                data = PageViews(entry.id).day(day)
                views, uniques = data["views"], data["uniqueVisitors"]
            else:
                views, uniques = int(result[0] or 0), int(result[1] or 0)
            per_day[day]["views"] += views
            per_day[day]["uniques"] += uniques
            per_entry[entry.id] += views
    counts = upvote_counts([entry.id for entry in entries])
    rows = [{"entry": entry, "views": per_entry[entry.id], "upvotes": counts.get(entry.id, 0),
             "url": entry_url(repo_id, entry.prId)} for entry in entries]
    series = [{"day": day, "views": per_day[day]["views"], "uniques": per_day[day]["uniques"]} for day in days]
    return {
        "repo_id": repo_id, "start": start, "end": end, "series": series,
        "total_views": sum(point["views"] for point in series),
        "total_uniques": sum(point["uniques"] for point in series),
        "most_viewed": sorted([r for r in rows if r["views"]], key=lambda r: -r["views"])[:top],
        "most_upvoted": sorted([r for r in rows if r["upvotes"]], key=lambda r: -r["upvotes"])[:top],
    }


def chart_top(peak):
    """The y axis's top: at least 2, so the ticks are distinct whole numbers (``0, 1, 2`` with no
    data, never ``1, 0, 0``); past 10 rounded up to a half step (37 -> 40, 120 -> 150)."""
    if peak <= 10:
        return max(2, peak + peak % 2)
    half_step = 10 ** (len(str(peak)) - 1) // 2
    return -(-peak // half_step) * half_step


def analytics_chart_svg(series, width=720, height=220):
    """A server-side SVG line chart of views and uniques per day (no JavaScript). The x axis names
    the first, middle and last day, the outer two anchored inside the chart so none is cut off."""
    pad_left, pad_bottom, pad_top, pad_right = 40, 28, 12, 16
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    peak = max([point["views"] for point in series] + [0])
    top = chart_top(peak)
    step = inner_w / max(len(series) - 1, 1)

    def xy(index, value):
        return pad_left + index * step, pad_top + inner_h - inner_h * value / top

    def polyline(field):
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, p[field]) for i, p in enumerate(series)))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Views and unique visitors per day" class="chart">']
    for tick in (0, top // 2, top):
        y = pad_top + inner_h - inner_h * tick / top
        parts.append(f'<line x1="{pad_left}" y1="{y:.1f}" x2="{width - pad_right}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{pad_left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{tick}</text>')
    last = len(series) - 1
    for index in sorted({0, last // 2, last} if series else set()):
        x, _ = xy(index, 0)
        anchor = "start" if index == 0 and last else "end" if index == last and last else "middle"
        day = series[index]["day"]
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" class="axis">'
                     f'{day.strftime("%b")} {day.day}</text>')
    if not peak:
        parts.append(f'<text x="{pad_left + inner_w / 2:.1f}" y="{pad_top + inner_h / 2:.1f}" text-anchor="middle" '
                     f'class="empty">No views in this range yet</text>')
    parts.append(f'<polyline points="{polyline("views")}" class="views"/>')
    parts.append(f'<polyline points="{polyline("uniques")}" class="uniques"/>')
    for index, point in enumerate(series):
        x, y = xy(index, point["views"])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" class="views"><title>'
                     f'{point["day"].isoformat()}: {point["views"]} views, {point["uniques"]} unique</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


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
