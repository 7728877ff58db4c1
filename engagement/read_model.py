"""The public changelog's read model: each repository's published entries in a sorted set, read a
page at a time, so a page costs the same with 10 published entries as with 10,000.

``Entry.add_to_indexes``/``remove_from_indexes`` (entries/models.py) keep it in the same
transaction as the entry write: ``idx:changelog:{repo}`` holds every published copy of the
repository's entries, member ``{prId:010d}:{userId}``, scored by ``mergedAt``, and
``idx:changelog:{repo}:{category}`` the same per category. A page is one ``ZREVRANGEBYSCORE …
LIMIT`` from the cursor down and one ``MGET`` of the entries it names; an entry page and an upvote
find their entry by key (one ``MGET`` of the connected users' copies), never by scanning.

Which copy readers see when several users connected the repository: only copies of users still
connected (``idx:repo-users``), one per PR, the one published last (its text is the freshest
edit), ties to the smaller userId. The copies of one PR share GitHub's ``mergedAt``, so they sit
side by side in the sorted set and a page always holds all of them. Order: newest ``mergedAt``
first, then the higher PR number; the cursor is the last (mergedAt, prId) shown, so entries
published meanwhile never shift a page.
"""

import base64
import math
from datetime import datetime, timezone

from changelog_site import domain
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import ValidationError
from entries.models import Entry, changelog_member, parse_changelog_member

PAGE_SIZE = 20
FEED_SIZE = 50
LISTING_BATCH = 500


class NotFound(domain.NotFound):
    default_detail = "This changelog page does not exist."


def encode_cursor(score, pr_id):
    return base64.urlsafe_b64encode(f"{score!r}|{pr_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    """``(score, pr_id)`` of a cursor this page gave out; ``ValidationError`` for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score, pr_id = text.split("|", 1)
        score, pr_id = float(score), int(pr_id)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationError({"cursor": "is not a cursor this page gave out"}) from error
    if not math.isfinite(score) or not 0 < pr_id < 10**10:
        raise ValidationError({"cursor": "is not a cursor this page gave out"})
    return score, pr_id


def beats(entry, current):
    """Of two users' copies of one PR, the one published last wins; ties go to the smaller userId."""
    mine = entry.publishedAt or entry.mergedAt
    theirs = current.publishedAt or current.mergedAt
    return mine > theirs or (mine == theirs and entry.userId < current.userId)


def _best(entries, repo_id):
    best = None
    for entry in entries:
        if entry.status != "published" or entry.repoId != repo_id:
            continue
        if best is None or beats(entry, best):
            best = entry
    return best


def _groups(index, user_ids, cursor, limit):
    """The copies of up to ``limit + 1`` PRs after ``cursor``, newest first: a list of
    ``(score, pr_id, [user_id, ...])``. Reads ``limit + 1`` members at a time; more only when
    copies of disconnected users or of one PR fill a batch."""
    client = kv.get_client()
    top, after = "+inf", None
    if cursor:
        top, pr_id = decode_cursor(cursor)
        after = changelog_member(pr_id, "")
    users = set(user_ids)
    groups, offset, batch = [], 0, limit + 2
    while True:
        found = client.zrevrangebyscore(index, top, "-inf", start=offset, num=batch, withscores=True)
        for member, score in found:
            if after is not None and score == top and member >= after:
                continue
            pr_id, user_id = parse_changelog_member(member)
            if user_id not in users:
                continue
            if not groups or groups[-1][1] != pr_id:
                if len(groups) == limit + 1:
                    return groups
                groups.append((score, pr_id, []))
            groups[-1][2].append(user_id)
        if len(found) < batch:
            return groups
        offset += len(found)


def _all_copies(repo_id, user_ids, groups):
    """For a category's page: every connected copy of each PR (the copy readers see may be of
    another category), from the repository's set at the PR's score. One pipeline."""
    pipe = kv.get_client().pipeline(transaction=False)
    for score, _, _ in groups:
        pipe.zrangebyscore(keys.idx_changelog(repo_id), score, score)
    users, completed = set(user_ids), []
    for (score, pr_id, _), members in zip(groups, pipe.execute()):
        copies = [user for pr, user in map(parse_changelog_member, members) if pr == pr_id and user in users]
        completed.append((score, pr_id, copies))
    return completed


def _winners(repo_id, groups):
    """The entry readers see for each group, in order (one MGET); groups whose copies are gone are left out."""
    copy_keys = [keys.entry(user_id, repo_id, pr_id) for _, pr_id, users in groups for user_id in users]
    by_key = {entry.key(): entry for entry in Entry.get_many_by_keys(copy_keys)}
    winners = []
    for _, pr_id, users in groups:
        best = _best([by_key[key] for key in (keys.entry(user, repo_id, pr_id) for user in users) if key in by_key],
                     repo_id)
        if best is not None:
            winners.append(best)
    return winners


def published_page(*, repo_id, user_ids, cursor=None, category=None, limit=PAGE_SIZE):
    """A page of the published entries readers see, newest first: ``(entries, next_cursor)``.

    With ``category``, the entries of that category (from its own sorted set)."""
    index = keys.idx_changelog(repo_id) if category is None else keys.idx_changelog_category(repo_id, category)
    groups = _groups(index, user_ids, cursor, limit)
    more, groups = len(groups) > limit, groups[:limit]
    if category is not None and len(user_ids) > 1:
        groups = _all_copies(repo_id, user_ids, groups)
    entries = _winners(repo_id, groups)
    if category is not None:
        entries = [entry for entry in entries if entry.category == category]
    next_cursor = encode_cursor(groups[-1][0], groups[-1][1]) if more and groups else None
    return entries, next_cursor


def published_entries(*, repo_id, user_ids, pr_ids):
    """``{pr_id: entry}`` readers see for these PRs: one MGET of the connected users' copies."""
    pr_ids = list(dict.fromkeys(pr_ids))
    copy_keys = [keys.entry(user_id, repo_id, pr_id) for pr_id in pr_ids for user_id in user_ids]
    by_pr = {}
    for entry in Entry.get_many_by_keys(copy_keys):
        by_pr.setdefault(entry.prId, []).append(entry)
    found = {pr_id: _best(copies, repo_id) for pr_id, copies in by_pr.items()}
    return {pr_id: entry for pr_id, entry in found.items() if entry is not None}


def published_entry(*, repo_id, user_ids, pr_id):
    """The copy of PR ``pr_id`` readers see, or None (a draft, an unknown PR, a disconnected user's)."""
    return published_entries(repo_id=repo_id, user_ids=user_ids, pr_ids=[pr_id]).get(pr_id)


def changelog_listing(*, repo_id, version=None, user_ids=None, limit=None):
    """``{"repoId", "userIds", "rows"}``: the published entries readers see, newest first, as
    compact rows (``id``, ``key``, ``prId``, ``category``, ``mergedAt``, ``publishedAt``,
    ``score``), all of them or the first ``limit``; None when nobody connected the repository.

    For the subscribers' digest and the widget (``version`` is accepted for them and not needed:
    the read model is always current); pages read ``published_page``, a page at a time."""
    if user_ids is None:
        user_ids = sorted(kv.get_client().smembers(keys.idx_repo_users(repo_id)))
    if not user_ids:
        return None
    rows, cursor = [], None
    while limit is None or len(rows) < limit:
        batch = LISTING_BATCH if limit is None else min(LISTING_BATCH, limit - len(rows))
        entries, cursor = published_page(repo_id=repo_id, user_ids=user_ids, cursor=cursor, limit=batch)
        rows += [{"id": entry.id, "key": entry.key(), "prId": entry.prId, "category": entry.category,
                  "mergedAt": entry.mergedAt, "publishedAt": entry.publishedAt, "score": entry.score()}
                 for entry in entries]
        if cursor is None:
            break
    return {"repoId": repo_id, "userIds": list(user_ids), "rows": rows}


class PublishedLinks:
    """The published PRs of a repository, newest first, as a lazy sequence for Django's sitemap
    paginator: ``len()`` is one ZCARD, a slice one ``ZREVRANGE`` of ids and scores (no entry is
    loaded, no markdown rendered). Item 0 is the changelog page itself (None); the others are
    ``(pr_id, merged_at)``. Copies of disconnected users and second copies of a PR are left out
    of the slice, so a sitemap page may hold a few URLs fewer than the limit."""

    def __init__(self, repo_id, user_ids):
        self.repo_id = repo_id
        self.users = set(user_ids)
        self._count = None

    def __len__(self):
        if self._count is None:
            self._count = 1 + kv.get_client().zcard(keys.idx_changelog(self.repo_id))
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("PublishedLinks is read by slices")
        start, stop, _ = index.indices(len(self))
        items = [None] if start == 0 and stop > 0 else []
        first, last = max(start - 1, 0), stop - 2
        if last < first:
            return items
        seen = set()
        for member, score in kv.get_client().zrevrange(keys.idx_changelog(self.repo_id), first, last, withscores=True):
            pr_id, user_id = parse_changelog_member(member)
            if user_id in self.users and pr_id not in seen:
                seen.add(pr_id)
                items.append((pr_id, datetime.fromtimestamp(score, tz=timezone.utc)))
        return items
