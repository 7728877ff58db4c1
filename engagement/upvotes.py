"""Readers' upvotes of published entries (docs/public-changelog.md, "Upvotes").

``analytics:upvotes:{entryId}`` and its voters set, changed by ``VoteCounter.UPVOTE`` (SADD the
voter, INCR only when new), here run behind the per-IP limit in the same script: an upvote is
three round trips (the connected users, their copies of the PR by key, the script).
"""

import time

from django.conf import settings

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.ratelimit import RateLimited
from engagement import read_model
from engagement.models import EntryUpvotes
from engagement.read_model import NotFound

UPVOTED_CHECK_LIMIT = 50

# VoteCounter.UPVOTE as a Lua function of its KEYS and ARGV, behind the per-IP window (KEYS[3]).
LIMITED_UPVOTE = f"""
local function upvote(KEYS, ARGV)
{EntryUpvotes.UPVOTE}
end
local hits = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
if hits > tonumber(ARGV[2]) then return {{-1, 0}} end
return upvote({{KEYS[1], KEYS[2]}}, {{ARGV[1]}})
"""


def _users(repo_id):
    user_ids = sorted(kv.get_client().smembers(keys.idx_repo_users(repo_id)))
    if not user_ids:
        raise NotFound()
    return user_ids


def entry_upvote(*, repo_id, pr_id, voter_id, ip_hash):
    """Count a reader's upvote once.

    ``voter_id`` is the reader's id or a callable giving it for an entry id (voter ids are scoped
    to one entry, see ``privacy.voter_id``). Rate-limited per (hashed) IP in ``rl:upvote:…``
    (``UPVOTE_RATE_LIMIT`` per ``UPVOTE_RATE_WINDOW`` seconds): ``RateLimited`` (429) past it,
    ``NotFound`` for anything not published. Returns ``{"entryId", "prId", "count", "counted"}``."""
    entry = read_model.published_entry(repo_id=repo_id, user_ids=_users(repo_id), pr_id=pr_id)
    if entry is None:
        raise NotFound("This entry is not on the changelog.")
    limit, window_seconds = settings.UPVOTE_RATE_LIMIT, settings.UPVOTE_RATE_WINDOW
    now = int(time.time())
    window = now // window_seconds
    voter = voter_id(entry.id) if callable(voter_id) else voter_id
    counted, count = kv.run_script(
        LIMITED_UPVOTE,
        keys=[keys.entry_upvotes(entry.id), keys.entry_upvoters(entry.id), keys.rate_limit("upvote", ip_hash, window)],
        args=[voter, limit, window_seconds + 1])
    if int(counted) < 0:
        raise RateLimited(retry_after=max(1, (window + 1) * window_seconds - now))
    return {"entryId": entry.id, "prId": pr_id, "count": int(count), "counted": bool(int(counted))}


def entries_upvoted(*, repo_id, pr_ids, voter_id):
    """The PR numbers among ``pr_ids`` (the first ``UPVOTED_CHECK_LIMIT``) whose entries this
    reader has upvoted: the copies by key (one MGET), then one SISMEMBER each, pipelined. The
    changelog page is the same (cached) for every reader, so it asks for this after loading to
    show "you upvoted". ``voter_id`` gives the reader's id for an entry id (``privacy.voter_id``:
    cookieless, scoped to one entry)."""
    wanted = list(dict.fromkeys(pr_ids))[:UPVOTED_CHECK_LIMIT]
    user_ids = _users(repo_id)
    entries = read_model.published_entries(repo_id=repo_id, user_ids=user_ids, pr_ids=wanted) if wanted else {}
    if not entries:
        return []
    with kv.get_client().pipeline(transaction=False) as pipe:
        for entry in entries.values():
            pipe.sismember(keys.entry_upvoters(entry.id), voter_id(entry.id))
        voted = pipe.execute()
    return sorted(pr_id for pr_id, mine in zip(entries, voted) if mine)
