"""Domain operations of the editor: list, edit, discard, publish, unpublish, AI rewrite.

Publishing and rewriting count against the plan's monthly limits in ``usage:{userId}:{YYYY-MM}``.
Each is ONE atomic step: a guarded write (``changelog_site.kv.guarded``) checks that the entry
is unchanged since we read it and that the usage is below the limit, then writes the entry, its
indexes and the HINCRBY together. A concurrent change of the same entry is retried; the limit
is never exceeded however many publishes race. An entry counts once a month however often it is
published; a rewrite that leaves the text as it was counts nothing.
"""

from accounts.models import User as UserRecord
from billing.models import Usage
from billing.services import plan_limits
from changelog_site.domain import Conflict, NotFound, PlanLimitReached, ProviderFailed
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.guarded import CommandQueue, below, guarded_write, member, not_member, unchanged
from changelog_site.kv.records import ValidationError, utc_now
from entries import ai
from entries.models import BODY_MAX, CATEGORIES, STATUSES, Entry, encode_cursor, page_of_zset
from entries.services import entry_purge
from entries.signals import entry_published, entry_published_changed, entry_unpublished

CAS_RETRIES = 10
EDITABLE_FIELDS = ("title", "body", "category", "aiRewrite", "textSource")
FILTER_BATCH = 100
FILTER_SCAN_LIMIT = 2000


class EntryNotFound(NotFound):
    default_detail = "No such entry."


class EditConflict(Conflict):
    default_detail = "The entry changed while saving; reload it and try again."


# --- selectors -------------------------------------------------------------------------------

def _load(user_id, entry_id):
    """``(entry, raw JSON)`` of the user's entry, or ``EntryNotFound`` (also for another user's
    entry: no tenant leaks). The raw JSON is what a guarded write compares against."""
    key = Entry.key_for_id(entry_id) if entry_id and ":" not in entry_id else None
    raw = kv.get_client().get(key) if key else None
    entry = Entry.loads(raw) if raw else None
    if entry is None or entry.userId != user_id:
        raise EntryNotFound()
    return entry, raw


def entry_get(*, user_id, entry_id):
    return _load(user_id, entry_id)[0]


def _matches(entry, category, label, query):
    if category and entry.category != category:
        return False
    if label and label not in entry.labels:
        return False
    return not query or query.lower() in entry.title.lower()


def entries_list(*, user_id, status, repo_id=None, cursor=None, limit=20, category=None, label=None, query=None):
    """A page of the user's entries, newest merged first: ``(entries, next_cursor)``.

    Without filters this is one index page. With filters it reads the user's own index in
    batches until the page is full, looking at no more than ``FILTER_SCAN_LIMIT`` entries per
    call; the cursor then points where it stopped, so the next call goes on from there.
    """
    if status not in STATUSES:
        raise ValidationError({"status": "must be one of " + ", ".join(STATUSES)})
    if category and category not in CATEGORIES:
        raise ValidationError({"category": "must be one of " + ", ".join(CATEGORIES)})
    if not (category or label or query):
        return Entry.page(user_id, status, repo_id=repo_id, cursor=cursor, limit=limit)
    index = keys.idx_repo_entries(user_id, repo_id, status) if repo_id else keys.idx_user_entries(user_id, status)
    found, looked_at = [], 0
    while len(found) < limit and looked_at < FILTER_SCAN_LIMIT:
        ids, next_cursor = page_of_zset(index, cursor=cursor, limit=FILTER_BATCH)
        batch = Entry.get_many_by_ids(ids)
        looked_at += len(ids)
        for position, entry in enumerate(batch):
            if _matches(entry, category, label, query):
                found.append(entry)
                if len(found) == limit:
                    more = position < len(batch) - 1 or next_cursor is not None
                    return found, encode_cursor(entry.score(), entry.id) if more else None
        cursor = next_cursor
        if cursor is None:
            return found, None
    return found, cursor


# --- writes ----------------------------------------------------------------------------------

def _write(entry, raw_before, *, guards=(), extra=None):
    """Save ``entry`` only if it is still ``raw_before`` and every guard holds."""
    queue = CommandQueue()
    entry.save(pipe=queue)
    if extra:
        extra(queue)
    return guarded_write([unchanged(entry.key(), raw_before), *guards], queue)


def entry_update(*, user_id, entry_id, changes):
    """Apply the user's edits (title, body, category, aiRewrite, textSource) and remember which
    fields the user edited, so GitHub events never overwrite them."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "cannot be edited" for name in sorted(unknown)})
    for attempt in range(CAS_RETRIES):
        entry, raw = _load(user_id, entry_id)
        for name, value in changes.items():
            setattr(entry, name, value)
        edited = [name for name in changes if name in ("title", "body", "category")]
        result = _write(entry, raw, extra=(lambda q: q.sadd(keys.meta_entry_edited(entry.id), *edited))
                        if edited else None)
        if result.ok:
            if entry.status == "published" and "title" in changes:
                entry_published_changed.send_robust(sender=Entry, entry=entry)  # "Shipped in" comments follow
            return entry
    raise EditConflict()


def entry_discard(*, user_id, entry_id):
    """Delete the entry and everything that hangs off it (indexes, edit marks, votes, views)."""
    entry = entry_get(user_id=user_id, entry_id=entry_id)
    entry_purge(entry)
    return entry


def entry_publish(*, user_id, entry_id, user=None):
    """Publish within the plan's limit, in one atomic step. Publishing a published entry costs nothing.

    An entry counts once a month, however often it is unpublished and published again: the script
    that writes the entry also checks the month's set of counted entries (``lock_usage_counted``)
    and, for an entry not in it yet, checks the limit, adds the entry and HINCRBYs the usage. The
    first attempt assumes a new entry (one round trip); a re-publish retries without counting.
    """
    user = user or UserRecord.get(user_id)
    limit = plan_limits(user=user)["entriesPublished"]
    usage = Usage(user_id)
    counted_key = keys.lock_usage_counted(user_id, usage.month)
    counted = False
    for attempt in range(CAS_RETRIES):
        entry, raw = _load(user_id, entry_id)
        if entry.status == "published":
            return entry
        entry.status, entry.publishedAt = "published", utc_now()
        if counted:
            guards, count = [member(counted_key, entry.id)], None
        else:
            guards = [not_member(counted_key, entry.id)]
            guards += [below(usage.key(), "entriesPublished", limit)] if limit is not None else []

            def count(queue, entry_id=entry.id):
                queue.sadd(counted_key, entry_id)
                queue.expire(counted_key, keys.USAGE_COUNTED_SECONDS)
                queue.hincrby(usage.key(), "entriesPublished", 1)
        result = _write(entry, raw, guards=guards, extra=count)
        if result.ok:
            entry_published.send_robust(sender=Entry, entry=entry)  # subscribers, channels, roadmap voters
            return entry
        if result.failed_guard[0] == "below":
            raise PlanLimitReached(what="entriesPublished", limit=limit, used=int(result.observed))
        if result.failed_guard[0] in ("member", "not_member"):
            counted = result.failed_guard[0] == "not_member"
    raise EditConflict()


def entry_unpublish(*, user_id, entry_id):
    """Back to drafts. The month's usage is not refunded."""
    for attempt in range(CAS_RETRIES):
        entry, raw = _load(user_id, entry_id)
        if entry.status == "draft":
            return entry
        entry.status, entry.publishedAt = "draft", None
        if _write(entry, raw).ok:
            entry_unpublished.send_robust(sender=Entry, entry=entry)
            return entry
    raise EditConflict()


def _same_text(first, second):
    return " ".join((first or "").split()) == " ".join((second or "").split())


def rewrite_unchanged(entry, text):
    """True when ``text`` is what the entry already says (its rewrite, or its original text)."""
    return _same_text(text, entry.aiRewrite) or _same_text(text, entry.body)


def entry_rewrite(*, user_id, entry_id, user=None):
    """Have the AI (or the built-in writer) rewrite the entry; counts one ``aiRewrites``.

    The limit is checked before calling the provider (no wasted call at the limit) and again,
    atomically, when the result is stored with the count. A failed provider call costs nothing,
    and so does a rewrite that leaves the text as it was (the same as the current rewrite or the
    original text): the entry is returned unchanged and nothing is written or counted.
    """
    user = user or UserRecord.get(user_id)
    limit = plan_limits(user=user)["aiRewrites"]
    usage = Usage(user_id)
    entry = entry_get(user_id=user_id, entry_id=entry_id)
    used = usage.get()["aiRewrites"]
    if limit is not None and used >= limit:
        raise PlanLimitReached(what="aiRewrites", limit=limit, used=used)
    try:
        text = ai.rewrite(entry.title, entry.body, entry.category)
    except ai.AiProviderError as error:
        raise ProviderFailed(f"The AI rewrite failed: {error}. Nothing was counted.", code="ai_provider_error") from error
    for attempt in range(CAS_RETRIES):
        entry, raw = _load(user_id, entry_id)
        if rewrite_unchanged(entry, text):
            return entry
        entry.aiRewrite = text[:BODY_MAX]
        guards = [below(usage.key(), "aiRewrites", limit)] if limit is not None else []
        result = _write(entry, raw, guards=guards, extra=lambda q: q.hincrby(usage.key(), "aiRewrites", 1))
        if result.ok:
            return entry
        if result.failed_guard[0] == "below":
            raise PlanLimitReached(what="aiRewrites", limit=limit, used=int(result.observed))
    raise EditConflict()
