"""Social posts of an entry: the data document's ``TwitterDraft`` at ``social:{userId}:{entryId}:{platform}``.

One draft per entry and platform (``twitter``: ``tweets``, ``linkedin``: ``post``); generating
again replaces it. Drafts are read by their two keys directly, not through our
``idx:social:`` set, so a draft another implementation wrote shows as it is, unchanged until the
owner edits it.

Generating through the AI provider counts one ``aiRewrites`` in ``usage:{userId}:{YYYY-MM}``, the
same monthly quota as the entry rewrite: the limit is checked before the call (no wasted call at
the limit) and again in the one Lua step (``changelog_site.kv.guarded``) that stores the draft and
counts it, so racing requests never pass the limit. The built-in writer is free. Every write also
checks that the entry still exists at its key, so a draft never outlives a discarded entry.
"""

from accounts.models import User as UserRecord
from billing.models import Usage
from billing.services import plan_limits
from changelog_site.domain import NotFound, ProviderFailed
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.guarded import CommandQueue, below, guarded_write, unchanged
from changelog_site.kv.records import ValidationError, utc_now
from entries import ai, social_ai
from entries import social_writer as writer
from entries.links import entry_url
from entries.models import PLATFORMS, STATUSES, Entry, SocialPost, encode_cursor, page_of_zset
from entries.publishing import EditConflict, EntryNotFound, PlanLimitReached, entry_get
from entries.tweet_length import tweet_problem, weighted_length

OVERVIEW_BATCH = 100
OVERVIEW_SCAN_LIMIT = 1000


PLATFORM_NAMES = {"twitter": "X thread", "linkedin": "LinkedIn post"}


class SocialPostNotFound(NotFound):
    def __init__(self, platform):
        super().__init__(f"This entry has no {PLATFORM_NAMES.get(platform, 'such post')}.")


def writer_kind():
    """``"ai"`` when an AI provider is configured, else ``"builtin"``: who writes the next post."""
    return "ai" if ai.ai_configured() else "builtin"


def public_url(entry):
    """The entry's page on the public changelog, absolute (``PUBLIC_BASE_URL``)."""
    return entry_url(entry.repoId, entry.prId, absolute=True)


def _keys_of(user_id, entry_id):
    return [keys.social(user_id, entry_id, platform) for platform in PLATFORMS]


def _entry_still_there(entry):
    """The guard that the entry was not discarded or moved while we wrote its draft."""
    return unchanged(keys.idx_entry(entry.id), entry.key())


# --- reads --------------------------------------------------------------------------------------

def social_list(*, user_id, entry_id):
    """``(entry, drafts)``: the user's entry and its drafts, ``twitter`` before ``linkedin``.
    Another user's entry is a 404."""
    entry = entry_get(user_id=user_id, entry_id=entry_id)
    return entry, SocialPost.get_many_by_keys(_keys_of(user_id, entry_id))


def social_entry(*, user_id, entry_id):
    """The user's entry whose posts these are; another user's is a 404 (checked before the input)."""
    return entry_get(user_id=user_id, entry_id=entry_id)


def social_get(*, user_id, entry_id, platform):
    entry = entry_get(user_id=user_id, entry_id=entry_id)
    draft = SocialPost.get_by_key(keys.social(user_id, entry_id, platform)) if platform in PLATFORMS else None
    if draft is None:
        raise SocialPostNotFound(platform)
    return entry, draft


def _drafts_by_entry(user_id, entries):
    all_keys = [key for entry in entries for key in _keys_of(user_id, entry.id)]
    found = {}
    for draft in SocialPost.get_many_by_keys(all_keys):
        found.setdefault(draft.entryId, []).append(draft)
    return found


def _entries_batch(user_id, cursor, size):
    """Up to ``size`` of the user's entries, drafts and published together, newest merged first,
    from below ``cursor``: both status indexes are read from the same cursor and merged (equal
    scores in reverse id order, as ZREVRANGEBYSCORE gives them). Returns ``(entries, more)``."""
    found, more = [], False
    for status in STATUSES:
        ids, next_cursor = page_of_zset(keys.idx_user_entries(user_id, status), cursor=cursor, limit=size)
        found.extend(Entry.get_many_by_ids(ids))
        more = more or next_cursor is not None
    found.sort(key=lambda entry: (entry.score(), entry.id), reverse=True)
    return found[:size], more or len(found) > size


def social_overview(*, user_id, cursor=None, limit=20):
    """The user's entries that have social posts, newest merged first: ``(rows, next_cursor)``
    with rows ``(entry, drafts)``. Reads the user's own entry indexes a batch at a time and looks
    at no more than ``OVERVIEW_SCAN_LIMIT`` entries per call; the cursor goes on from there."""
    rows, looked_at = [], 0
    while len(rows) < limit and looked_at < OVERVIEW_SCAN_LIMIT:
        batch, more = _entries_batch(user_id, cursor, OVERVIEW_BATCH)
        looked_at += len(batch)
        drafts = _drafts_by_entry(user_id, batch)
        for position, entry in enumerate(batch):
            if entry.id in drafts:
                rows.append((entry, drafts[entry.id]))
                if len(rows) == limit:
                    left = position < len(batch) - 1 or more
                    return rows, encode_cursor(entry.score(), entry.id) if left else None
        if not more or not batch:
            return rows, None
        cursor = encode_cursor(batch[-1].score(), batch[-1].id)
    return rows, cursor


# --- writes -------------------------------------------------------------------------------------

def _compose(*, entry, material, platform, tone, words=None):
    """The draft's text by the platform's rules, from the provider's ``words`` or the built-in writer's."""
    hashtags = writer.hashtags_for(category=entry.category, labels=entry.labels, platform=platform)
    fields = {"hashtags": hashtags}
    if platform == "twitter":
        fields["tweets"] = writer.thread(words, tail=writer.x_tail(material, hashtags, tone)) if words \
            else writer.builtin_thread(material, tone, hashtags)
    elif words:
        hook, _, rest = words.partition("\n")
        if not hook.strip() or writer.utf16_length(hook.strip()) > writer.LINKEDIN_HOOK_MAX:
            hook, rest = writer.linkedin_hook(material, tone), words
        fields["post"] = writer.linkedin_post(hook=hook, paragraphs=rest.split("\n\n"), material=material,
                                              hashtags=hashtags, tone=tone)
    else:
        fields["post"] = writer.builtin_linkedin(material, tone, hashtags)
    return SocialPost(entryId=entry.id, userId=entry.userId, platform=platform, tone=tone,
                      createdAt=utc_now(), **fields)


def _check_choices(platform, tone):
    problems = {}
    if platform not in PLATFORMS:
        problems["platform"] = "must be one of " + ", ".join(PLATFORMS)
    if tone not in writer.TONES:
        problems["tone"] = "must be one of " + ", ".join(writer.TONES)
    if problems:
        raise ValidationError(problems)


def social_generate(*, user_id, entry_id, platform, tone=None, user=None):
    """Write (or write again) the entry's post for ``platform`` in ``tone``: ``(draft, writer_kind)``.

    Through the AI provider when one is configured (one ``aiRewrites``; 402 at the limit, 502 when
    the provider fails, which costs nothing), else the built-in writer (free)."""
    entry = entry_get(user_id=user_id, entry_id=entry_id)
    tone = tone or writer.DEFAULT_TONE
    _check_choices(platform, tone)
    material = writer.material_for(entry, url=public_url(entry))
    if not ai.ai_configured():
        draft = _compose(entry=entry, material=material, platform=platform, tone=tone)
        _store(draft, [_entry_still_there(entry)])
        return draft, "builtin"
    user = user or UserRecord.get(user_id)
    limit = plan_limits(user=user)["aiRewrites"]
    usage = Usage(user_id)
    used = usage.get()["aiRewrites"]
    if limit is not None and used >= limit:
        raise PlanLimitReached(what="aiRewrites", limit=limit, used=used)
    try:
        words = social_ai.write(platform=platform, tone=tone, material=material)
    except ai.AiProviderError as error:
        raise ProviderFailed(f"The AI could not write the post: {error}. Nothing was counted.",
                             code="ai_provider_error") from error
    draft = _compose(entry=entry, material=material, platform=platform, tone=tone, words=words)
    guards = [_entry_still_there(entry)] + ([below(usage.key(), "aiRewrites", limit)] if limit is not None else [])
    result = _store(draft, guards, extra=lambda queue: queue.hincrby(usage.key(), "aiRewrites", 1))
    if not result.ok and result.failed_guard[0] == "below":
        raise PlanLimitReached(what="aiRewrites", limit=limit, used=int(result.observed))
    return draft, "ai"


def _store(draft, guards, extra=None):
    """Save ``draft`` (and ``extra``'s writes) in one step if every guard holds; a discarded entry is a 404."""
    queue = CommandQueue()
    draft.save(pipe=queue)
    if extra:
        extra(queue)
    result = guarded_write(guards, queue)
    if not result.ok and result.failed_guard[0] == "unchanged":
        if result.failed_guard[1] == keys.idx_entry(draft.entryId):
            raise EntryNotFound()
        raise EditConflict()
    return result


def thread_problems(tweets):
    """``{"tweets": ...}`` naming each post X would refuse, or ``{}``."""
    if not tweets:
        return {"tweets": "needs at least one post"}
    if len(tweets) > writer.THREAD_MAX_POSTS:
        return {"tweets": f"may hold at most {writer.THREAD_MAX_POSTS} posts"}
    problems = [f"post {number} {problem}" for number, text in enumerate(tweets, start=1)
                if (problem := tweet_problem(text))]
    return {"tweets": "; ".join(problems)} if problems else {}


def post_problems(post):
    if not (post or "").strip():
        return {"post": "may not be empty"}
    length = writer.utf16_length(post)
    if length > writer.LINKEDIN_MAX:
        return {"post": f"is {length} characters; LinkedIn allows {writer.LINKEDIN_MAX}"}
    return {}


def social_update(*, user_id, entry_id, platform, tweets=None, post=None, hashtags=None):
    """Save the owner's edit of a draft: the X posts must each pass X's count, a LinkedIn post
    LinkedIn's. Written only if the draft is still what was read (else 409)."""
    entry = entry_get(user_id=user_id, entry_id=entry_id)
    raw = kv.get_client().get(keys.social(user_id, entry_id, platform)) if platform in PLATFORMS else None
    if raw is None:
        raise SocialPostNotFound(platform)
    draft = SocialPost.loads(raw)
    problems = {}
    if platform == "twitter":
        if post is not None:
            problems["post"] = "belongs to a LinkedIn post; an X thread takes tweets"
        if tweets is not None:
            draft.tweets = [text.strip() for text in tweets]
            problems.update(thread_problems(draft.tweets))
    else:
        if tweets is not None:
            problems["tweets"] = "belong to an X thread; a LinkedIn post takes post"
        if post is not None:
            draft.post = post.strip()
            problems.update(post_problems(draft.post))
    if problems:
        raise ValidationError(problems)
    if hashtags is not None:
        draft.hashtags = [tag.strip().lstrip("#") for tag in hashtags if tag.strip().lstrip("#")]
    _store(draft, [_entry_still_there(entry), unchanged(draft.key(), raw)])
    return draft


def social_delete(*, user_id, entry_id, platform):
    """Discard the entry's draft for ``platform`` (404 when there is none)."""
    _, draft = social_get(user_id=user_id, entry_id=entry_id, platform=platform)
    draft.delete()
    return draft


def lengths(draft):
    """What each platform counts: X's weighted length per post, LinkedIn's length of the post."""
    if draft.platform == "twitter":
        return [weighted_length(text) for text in draft.tweets or []]
    return [writer.utf16_length(draft.post or "")]
