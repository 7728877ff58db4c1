"""Counting a reader's view of an entry page: one Lua script (``COUNT_VIEW``) made of the models'
own scripts (``PageViews.RECORD``, ``Visitor.TOUCH``) behind the per-IP limit, and its guarded twin
(``COUNT_VIEW_IF_CURRENT``) that ``page_cache`` runs in the same round trip as the page's body."""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from django.conf import settings

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now
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
        redis.call('EXPIRE', window, A[8])
        if hits > tonumber(A[7]) then return false end
    end
    local new_visitor = 0
    if A[3] ~= '' and redis.call('SISMEMBER', K[2], A[3]) == 0 then
        new_visitor = 1
    end
    local counted = record({{K[1], K[2], K[3]}}, {{A[1], A[2], A[3], A[4], A[5]}})
    if A[3] ~= '' then
        touch({{K[4]}}, {{A[3], A[3], A[6], A[1], A[9], A[10]}})
    end
    if stats > 0 then
        redis.call('HINCRBY', K[5], 'views', 1)
        redis.call('HINCRBY', K[5], 'uniques', new_visitor)
        redis.call('ZINCRBY', K[6], 1, A[1])
        redis.call('EXPIRE', K[5], A[12])
        redis.call('EXPIRE', K[6], A[12])
    end
    return counted
end
"""
# KEYS: page views, day's visitors, view days, visitor[, repository day, repository top][, rate-limit
# window]. Returns {views, uniques}, or nil past the limit.
COUNT_VIEW = _COUNT_VIEW_FUNCTIONS + "return count_view(KEYS, ARGV)\n"
COUNT_VIEW_SHA = hashlib.sha1(COUNT_VIEW.encode()).hexdigest()
# KEYS: version, users, stored body, then COUNT_VIEW's. Counts only while the stored body is current
# and is the page of ARGV[1]'s entry; else returns NOT_CURRENT and counts nothing.
COUNT_VIEW_IF_CURRENT = _COUNT_VIEW_FUNCTIONS + f"""
local stored = redis.call('HMGET', KEYS[3], 'version', 'users', 'entry')
local users = redis.call('SMEMBERS', KEYS[2])
table.sort(users)
if stored[1] ~= redis.call('GET', KEYS[1]) or stored[2] ~= table.concat(users, ',') or stored[3] ~= ARGV[1] then
    return {NOT_CURRENT}
end
local inner = {{}}
for i = 4, #KEYS do
    inner[#inner + 1] = KEYS[i]
end
return count_view(inner, ARGV)
"""
COUNT_VIEW_IF_CURRENT_SHA = hashlib.sha1(COUNT_VIEW_IF_CURRENT.encode()).hexdigest()


@dataclass
class View:
    """One reader's view of an entry page: ``visitor_id`` None for DNT/GPC readers (counted in
    the day's views only), ``ip_hash`` None to count without the per-IP limit, ``repo_id`` the
    entry's repository, whose figures of the day count it too (None: only the entry's)."""

    visitor_id: str | None = None
    ip_hash: str | None = None
    day: object = None
    repo_id: str | None = None

    def script_call(self, entry_id):
        """COUNT_VIEW's ``(keys, args)`` for a view of ``entry_id``."""
        day = self.day or datetime.now(timezone.utc).date()
        day_text = day.isoformat()
        script_keys = [keys.page_views(entry_id, day_text), keys.meta_view_visitors(entry_id, day_text),
                       keys.idx_entry_view_days(entry_id), keys.visitor(self.visitor_id or "-")]
        if self.repo_id:
            script_keys += [keys.stat_repo_views_day(self.repo_id, day_text),
                            keys.stat_repo_top_day(self.repo_id, day_text)]
        limit, window = settings.RATE_LIMITS["page-view"]
        if self.ip_hash is not None:
            script_keys.append(keys.rate_limit("page-view", self.ip_hash, int(time.time()) // window))
        args = [entry_id, day_text, self.visitor_id or "", day.toordinal(), DAY_VISITORS_TTL_SECONDS,
                iso(utc_now()), limit, window + 1, VISITOR_ENTRIES_KEPT, VISITOR_TTL_SECONDS,
                2 if self.repo_id else 0, keys.REPO_STAT_DAYS * 24 * 3600]
        return script_keys, args


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
