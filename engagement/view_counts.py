"""Counting a reader's view of an entry page: one Lua script (``COUNT_VIEW``) made of the models'
own scripts (``PageViews.RECORD``, ``Visitor.TOUCH``) behind the per-IP limit, and its guarded twin
(``COUNT_VIEW_IF_CURRENT``) that ``page_cache`` runs in the same round trip as the page's body."""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from django.conf import settings

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso
from engagement import privacy
from engagement.models import DAY_VISITORS_TTL_SECONDS, VISITOR_ENTRIES_KEPT, VISITOR_TTL_SECONDS, PageViews, Visitor

NOT_CURRENT = -1

# The models' own scripts (PageViews.RECORD, Visitor.TOUCH) as Lua functions of their KEYS and
# ARGV, behind the per-IP limit (the key after the repository's, when given), and the repository's
# figures of the day (K[5], K[6] when A[11] is 2: stat:repo-views-day and stat:repo-top-day, which
# the analytics page reads instead of every entry's days).
_COUNT_VIEW_FUNCTIONS = f"""
local function record(KEYS, ARGV)
{PageViews.RECORD}
end
local function touch(KEYS, ARGV)
{Visitor.TOUCH}
end
local function count_view(K, A)
    local stats = tonumber(A[11])
    local window = K[5 + stats]
    if window then
        local hits = redis.call('INCR', window)
        if hits == 1 then redis.call('EXPIRE', window, A[8]) end
        if hits > tonumber(A[7]) then return false end
    end
    local counted = record({{K[1], K[2], K[3]}}, {{A[1], A[2], A[3], A[4], A[5]}})
    local new_visitor = counted[3]
    if A[3] ~= '' then
        touch({{K[4]}}, {{A[3], A[3], A[6], A[1], A[9], A[10]}})
    end
    if stats > 0 then
        local day_views = redis.call('HINCRBY', K[5], 'views', 1)
        if new_visitor == 1 then redis.call('HINCRBY', K[5], 'uniques', 1) end
        redis.call('ZINCRBY', K[6], 1, A[1])
        if day_views == 1 then
            redis.call('EXPIRE', K[5], A[12])
            redis.call('EXPIRE', K[6], A[12])
        end
    end
    return counted
end
"""
# KEYS: page views, day's visitors, view days, visitor[, repository day, repository top][, rate-limit
# window]. Returns {views, uniques, 1 for a new visitor of the day else 0}, or nil past the limit.
COUNT_VIEW = _COUNT_VIEW_FUNCTIONS + "return count_view(KEYS, ARGV)\n"
COUNT_VIEW_SHA = hashlib.sha1(COUNT_VIEW.encode()).hexdigest()
# KEYS[1..3]: a page's version, users and stored body (``page_cache``). Returns the version when the
# stored body is current (built at this version, for these users, someone connected) and its
# ``field`` is ``expected``; else false.
_CURRENT_FUNCTION = """
local function current(K, field, expected)
    local version = redis.call('GET', K[1])
    local stored = redis.call('HMGET', K[3], 'version', 'users', field)
    local users = redis.call('SMEMBERS', K[2])
    if not version or #users == 0 then return false end
    table.sort(users)
    if stored[1] ~= version or stored[2] ~= table.concat(users, ',') or stored[3] ~= expected then return false end
    return version
end
local function tail(list, first)
    local out = {}
    for i = first, #list do out[#out + 1] = list[i] end
    return out
end
"""
# KEYS: version, users, stored body, then COUNT_VIEW's. Counts only while the stored body is current
# and is the page of ARGV[1]'s entry; else returns NOT_CURRENT and counts nothing.
COUNT_VIEW_IF_CURRENT = _COUNT_VIEW_FUNCTIONS + _CURRENT_FUNCTION + f"""
if not current(KEYS, 'entry', ARGV[1]) then return {NOT_CURRENT} end
return count_view(tail(KEYS, 4), ARGV)
"""
COUNT_VIEW_IF_CURRENT_SHA = hashlib.sha1(COUNT_VIEW_IF_CURRENT.encode()).hexdigest()
# The front door's hit (``page_cache.front_responder``). KEYS: version, users, stored body, then
# COUNT_VIEW's when ARGV[2] is '1'. ARGV[1]: the ETag of the body the process holds; from ARGV[3],
# COUNT_VIEW's. While that body is current returns the version and counts the view; else false
# and counts nothing. (The counts the body shows come from an MGET in the same round trip: read
# inside the script, each key would cost a conversion both ways.)
SERVE_HIT = _COUNT_VIEW_FUNCTIONS + _CURRENT_FUNCTION + """
local version = current(KEYS, 'etag', ARGV[1])
if version and ARGV[2] == '1' then count_view(tail(KEYS, 4), tail(ARGV, 3)) end
return version
"""
SERVE_HIT_SHA = hashlib.sha1(SERVE_HIT.encode()).hexdigest()


@dataclass
class View:
    """One reader's view of an entry page: ``visitor_id`` None for DNT/GPC readers (counted in
    the day's views only), ``ip_hash`` None to count without the per-IP limit, ``repo_id`` the
    entry's repository, whose figures of the day count it too (None: only the entry's)."""

    visitor_id: str | None = None
    ip_hash: str | None = None
    day: object = None
    repo_id: str | None = None

    @classmethod
    def for_reader(cls, request, repo_id):
        """The view ``request`` makes of a page of ``repo_id``: None for a bot or a HEAD (nothing
        to count). Reads only ``request.META`` and ``request.method``, as the front door has them."""
        if request.method != "GET" or privacy.is_bot(request):
            return None
        return cls(visitor_id=privacy.visitor_id(request), ip_hash=privacy.ip_hash(request), repo_id=repo_id)

    def script_call(self, entry_id):
        """COUNT_VIEW's ``(keys, args)`` for a view of ``entry_id``."""
        now = int(time.time())
        day = self.day or _utc_day(now // 86400)
        day_text = day.isoformat()
        entry_keys, repo_keys = _day_keys(entry_id, self.repo_id, day_text)
        script_keys = [*entry_keys, keys.visitor(self.visitor_id or "-"), *repo_keys]
        limit, window = settings.RATE_LIMITS["page-view"]
        if self.ip_hash is not None:
            script_keys.append(keys.rate_limit("page-view", self.ip_hash, now // window))
        args = [entry_id, day_text, self.visitor_id or "", day.toordinal(), DAY_VISITORS_TTL_SECONDS,
                _iso_second(now), limit, window + 1, VISITOR_ENTRIES_KEPT, VISITOR_TTL_SECONDS,
                2 if self.repo_id else 0, keys.REPO_STAT_DAYS * 24 * 3600]
        return script_keys, args


@lru_cache(maxsize=4)
def _utc_day(day_number):
    return datetime.fromtimestamp(day_number * 86400, timezone.utc).date()


@lru_cache(maxsize=4)
def _iso_second(second):
    """``iso`` of that second, formatted once per second however many views it counts."""
    return iso(datetime.fromtimestamp(second, timezone.utc))


@lru_cache(maxsize=4096)
def _day_keys(entry_id, repo_id, day_text):
    """The keys a view of ``entry_id`` on that day counts under: the entry's, the repository's."""
    entry_keys = (keys.page_views(entry_id, day_text), keys.meta_view_visitors(entry_id, day_text),
                  keys.idx_entry_view_days(entry_id))
    repo_keys = (keys.stat_repo_views_day(repo_id, day_text), keys.stat_repo_top_day(repo_id, day_text)) \
        if repo_id else ()
    return entry_keys, repo_keys


def entry_repo(entry_id):
    """The repository of an entry, from its ``idx:entry`` pointer (None for an unknown entry)."""
    pointer = kv.get_client().get(keys.idx_entry(entry_id))
    name, fields = keys.parse(pointer) if pointer else (None, {})
    return fields["repo_id"] if name == "entry" else None


def page_view_record(*, entry_id, visitor_id=None, day=None, ip_hash=None, repo_id=None):
    """Count one view of an entry: ``analytics:views:{entryId}:{day}`` always; with a visitor id
    (none for DNT/GPC readers) the day's uniques and ``analytics:visitor:{visitorId}`` too; and the
    day's figures of its repository (``repo_id``, else looked up from the entry).

    With ``ip_hash``, only ``RATE_LIMITS["page-view"]`` views per IP and window are counted (the
    page still shows, so a reloading script cannot inflate the figures). Returns ``(views,
    uniques)``, or None when not counted. One script."""
    view = View(visitor_id=visitor_id, ip_hash=ip_hash, day=day, repo_id=repo_id or entry_repo(entry_id))
    script_keys, args = view.script_call(entry_id)
    counted = kv.run_script(COUNT_VIEW, keys=script_keys, args=args)
    return None if counted is None else (int(counted[0]), int(counted[1]))
