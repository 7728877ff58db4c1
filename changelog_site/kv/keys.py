"""Every Redis key Shiplog reads or writes is built here, and nowhere else.

``TABLE`` names every key once, as a pattern such as ``entry:{user_id}:{repo_id}:{pr_id}``;
the builder functions (``keys.entry(user_id, repo_id, pr_id)``, one per row, named like the row)
and ``parse`` (a key back to its row and placeholders, for ``kv_reindex``) both derive from it,
so a format is written exactly once. Families:

* the data document's keys (``user:``, ``repo:``, ``entry:``, ...), exactly as written there;
* ours: ``idx:`` indexes ``kv_reindex`` rebuilds from the document's keys (deleting every ``idx:``
  key and running it is always safe), ``meta:`` our records that cannot be rebuilt, ``stat:`` our
  counters and time series, ``lock:`` idempotency markers and locks, ``rl:`` rate-limit windows
  and ``cache:`` caches.
  None of those prefixes is a document prefix, so the two families never collide.

A placeholder value may not contain ``:`` (``{repo_id}`` is ``owner/repo`` and may contain
``/``), so every placeholder is exactly one ``:``-separated part of its key.
"""

import inspect
import re

SEP = ":"
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
PLACEHOLDER = re.compile(r"^\{([a-z_]+)\}$")
CHANGELOG_VERSION_SECONDS = 30 * 24 * 3600  # the TTL every write of ``cache_changelog_version`` sets
WIDGET_STAT_DAYS = 100  # per-day widget figures are kept this long (the analytics page shows 90)
REPO_STAT_DAYS = 100  # per-day repository view figures are kept this long (the analytics page shows 90)
WIDGET_BODY_SECONDS = 24 * 3600
CHANGELOG_BODY_SECONDS = 24 * 3600  # a rendered public page, feed or sitemap kept in ``cache_changelog_body``
SUBSCRIBER_MARK_SECONDS = 180 * 24 * 3600  # how long "this entry was mailed to this address" is kept
USAGE_COUNTED_SECONDS = 62 * 24 * 3600
WEBHOOK_DAY_SECONDS = 8 * 24 * 3600

TABLE = {
    # --- the data document's keys ---------------------------------------------------------
    "user": ("user:{user_id}", "STRING: JSON UserConfig."),
    "github_token": ("user:{user_id}:github_token", "STRING: the user's GitHub token, a Fernet token."),
    "dodo_customer_id": ("user:{user_id}:dodo_customer_id", "STRING: the DodoPayments customer id."),
    "dodo_subscription_id": ("user:{user_id}:dodo_subscription_id", "STRING: the DodoPayments subscription id."),
    "repo": ("repo:{user_id}:{repo_id}", "STRING: JSON ConnectedRepo."),
    "repo_user": ("repo:{repo_name}:users:{user_id}", "STRING: the userId (repo-to-user mapping)."),
    "entry": ("entry:{user_id}:{repo_id}:{pr_id}", "STRING: JSON ChangelogEntry."),
    "usage": ("usage:{user_id}:{month}", "HASH: entriesPublished, aiRewrites (HINCRBY)."),
    "social": ("social:{user_id}:{entry_id}:{platform}", "STRING: JSON TwitterDraft."),
    "widget": ("widget:{user_id}:{repo_id}", "STRING: JSON WidgetConfig."),
    "widget_impressions": ("widget:impressions:{widget_id}", "INTEGER: the widget's impressions (INCR)."),
    "widget_clicks": ("widget:clicks:{widget_id}", "INTEGER: the widget's clicks (INCR)."),
    "widget_entry_clicks": ("widget:entry:{widget_id}:{entry_id}:clicks", "INTEGER: clicks on one entry."),
    "subscriber": ("subscriber:{repo_id}:{email}", "STRING: JSON EmailSubscriber."),
    "page_views": ("analytics:views:{entry_id}:{day}", "HASH: entryId, date, views, uniqueVisitors."),
    "visitor": ("analytics:visitor:{visitor_id}", "HASH: id, fingerprint, firstVisit, lastVisit, pageViews, "
                                                   "entries (expires 90 days after the last visit)."),
    "entry_upvotes": ("analytics:upvotes:{entry_id}", "INTEGER: the entry's upvotes."),
    "entry_upvoters": ("analytics:upvotes:{entry_id}:voters", "SET: who upvoted the entry."),
    "roadmap_item": ("roadmap:{user_id}:{repo_id}:{issue_id}", "STRING: JSON RoadmapItem."),
    "roadmap_upvotes": ("roadmap:upvotes:{roadmap_id}", "INTEGER: the roadmap item's upvotes."),
    "roadmap_upvoters": ("roadmap:upvotes:{roadmap_id}:voters", "SET: who upvoted the roadmap item."),

    # --- idx: indexes, all rebuilt by kv_reindex from the keys above ------------------------
    "idx_users": ("idx:users", "SET of every userId."),
    "idx_user_repos": ("idx:user-repos:{user_id}", "SET of the repoIds a user connected."),
    "idx_user_related_repos": ("idx:user-related-repos:{user_id}",
                               "SET of every repoId a user has records of (repos, entries, widgets, roadmap "
                               "items); not shrunk on disconnect, so deletion and export reach them all."),
    "idx_repo_users": ("idx:repo-users:{repo_name}", "SET of the userIds that connected a repository."),
    "idx_github_repo": ("idx:github-repo:{github_repo_id}",
                        "STRING: GitHub's numeric repository id -> current owner/repo (survives renames)."),
    "idx_user_entries": ("idx:entries:{user_id}:{status}",
                         "ZSET of a user's entry ids in one status, scored by mergedAt (epoch seconds)."),
    "idx_repo_entries": ("idx:entries:{user_id}:{repo_id}:{status}", "ZSET: the same, per repository."),
    "idx_changelog": ("idx:changelog:{repo_name}",
                      "ZSET: the public changelog's read model, every published copy of a repository's entries "
                      "(member ``{prId:010d}:{userId}``, scored by mergedAt), written with the entry "
                      "(Entry.add_to_indexes; engagement/read_model.py pages it)."),
    "idx_changelog_category": ("idx:changelog:{repo_name}:{category}", "ZSET: the same, one category."),
    "idx_entry": ("idx:entry:{entry_id}", "STRING: entry id -> its entry: key."),
    "idx_entry_view_days": ("idx:view-days:{entry_id}",
                            "ZSET of the days (YYYY-MM-DD, scored by ordinal) with page views of an entry."),
    "idx_widget": ("idx:widget:{widget_id}", "STRING: widget id -> its widget: key."),
    "idx_social_platforms": ("idx:social:{user_id}:{entry_id}", "SET of the platforms with a social draft."),
    "idx_repo_subscribers": ("idx:subscribers:{repo_id}", "SET of a repository's subscriber emails."),
    "idx_roadmap_items": ("idx:roadmap-items:{user_id}:{repo_id}",
                          "ZSET of a user's roadmap item ids of a repository, scored by issue number."),
    "idx_roadmap": ("idx:roadmap:{roadmap_id}", "STRING: roadmap item id -> its roadmap: key."),
    "idx_dodo_customer": ("idx:dodo-customer:{customer_id}", "STRING: DodoPayments customer id -> userId."),
    "idx_roadmap_entry": ("idx:roadmap-entry:{entry_id}",
                          "SET of the roadmap item ids whose linkedEntryId is this entry "
                          "(RoadmapItem.add_to_indexes)."),
    "idx_roadmap_column": ("idx:roadmap-column:{user_id}:{repo_id}:{column}",
                           "ZSET of a user's roadmap item ids of a repository in one column (planned, in-progress, "
                           "completed, or off: kept off the roadmap by GitHub's state), hidden ones included, scored "
                           "by votes then issue number (roadmap.models.vote_score); the vote script keeps it current."),
    "idx_roadmap_public": ("idx:roadmap-public:{user_id}:{repo_id}:{status}",
                           "ZSET: the same, only the items the public roadmap shows (neither hidden nor off)."),
    "idx_subscribers_confirmed": ("idx:subscribers-confirmed:{repo_id}",
                                  "ZSET, every score 0 (read by ZRANGEBYLEX: pages and prefix search): a "
                                  "repository's confirmed subscriber emails."),
    "idx_subscribers_pending": ("idx:subscribers-pending:{repo_id}",
                                "ZSET: the same, the addresses that have not confirmed yet."),
    "idx_hook_secret": ("idx:hook-secret:{github_repo_id}",
                        "STRING: a repository webhook's secret as kept before it moved to SQL "
                        "(repos.hook_secrets carries it over)."),

    # --- meta: our own records, which kv_reindex cannot rebuild -----------------------------
    "meta_view_visitors": ("meta:view-visitors:{entry_id}:{day}",
                           "SET of the visitor ids seen on an entry on one day (expires; unique counting)."),
    "meta_dodo_subscription": ("meta:dodo-subscription:{user_id}",
                               "STRING: JSON of the newest Dodo subscription event applied (docs/billing.md)."),
    "meta_dodo_payments": ("meta:dodo-payments:{user_id}", "HASH: Dodo payment id -> JSON of the payment."),
    "meta_dodo_on_hold": ("meta:dodo-on-hold",
                          "ZSET of userIds with an on-hold subscription, scored by the paid period's end."),
    "meta_repo_branding": ("meta:repo-branding:{repo_id}",
                           "STRING: JSON public changelog branding {name, logoUrl, accentColor, updatedAt}."),
    "meta_repo_releases": ("meta:releases:{repo_name}",
                           "ZSET of a repository's published GitHub release ids, scored by published_at."),
    "meta_repo_release_data": ("meta:release-data:{repo_name}",
                               "HASH: release id -> JSON {id, tagName, name, htmlUrl, publishedAt}."),
    "meta_entry_edited": ("meta:entry-edited:{entry_id}",
                          "SET of the entry fields the user edited; GitHub events leave them alone."),
    "meta_entry_github": ("meta:entry-github:{entry_id}",
                          "HASH of what GitHub told us about an entry's PR: prUpdatedAt, revert, revertsPr."),
    "meta_entry_fixes": ("meta:entry-fixes:{entry_id}",
                         "STRING: JSON [{number, title, state}] of the issues the entry's PR closes (titles "
                         "fetched once; docs/github-loop.md)."),
    "meta_entry_credits": ("meta:entry-credits:{entry_id}",
                           "STRING: JSON {author, coAuthors, firstContribution}: who to thank, bots left out."),
    "meta_entry_shipped": ("meta:entry-shipped:{entry_id}",
                           "STRING: JSON of the \"Shipped in\" comments and labels posted on GitHub for the entry "
                           "(state, detail, per issue and PR: comment id, label, outcome)."),
    "meta_repo_disconnected": ("meta:repo-disconnected:{user_id}",
                               "HASH repoName -> JSON {reason, at}: repositories GitHub deleted."),
    "meta_user_notices": ("meta:notices:{user_id}", "LIST (newest first, capped) of JSON dashboard notices."),
    "meta_backfill": ("meta:backfill:{repo_name}", "HASH: progress of a repository's newest backfill."),
    "meta_github_token_check": ("meta:github-token-check:{user_id}",
                                "HASH: what GitHub last said about the user's saved token (state, login, "
                                "checkedAt, detail); deleted with the token (repos.token_check)."),
    "meta_pro_grant": ("meta:pro-grant:{user_id}",
                       "STRING: JSON {grantedAt, grantedBy, until} of Pro granted by staff in the admin "
                       "(until: null, or when it ends; billing/staff.py)."),
    "meta_pro_grants_ending": ("meta:pro-grants-ending",
                               "ZSET of the userIds whose staff-granted Pro ends, scored by its end (epoch seconds)."),
    "meta_github_tokens_unverified": ("meta:github-tokens-unverified",
                                      "SET of the userIds whose saved token GitHub has not answered for yet."),
    "meta_widget_disabled": ("meta:widget-disabled:{widget_id}",
                             "STRING (ISO timestamp): present while the owner has switched the widget off; its "
                             "public endpoints then answer 410."),
    "meta_repo_subscriptions": ("meta:repo-subscriptions:{repo_id}",
                                "HASH: a repository's subscriber settings, shared by everyone who connected it "
                                "(digest schedule, Slack/Discord webhooks as Fernet tokens, Mailchimp, last digest; "
                                "docs/subscribers.md)."),
    "meta_subscriber": ("meta:subscriber:{repo_id}:{email}",
                        "HASH beside subscriber:{repoId}:{email}: lastSentAt, lastDigestAt, failures, lastError, "
                        "lastErrorAt. Deleted in the same MULTI as the record."),
    "meta_subscribers_failing": ("meta:subscribers-failing:{repo_id}",
                                 "ZSET, every score 0: the subscriber emails of a repository a mail to failed "
                                 "(lastError in meta:subscriber), added in the same MULTI as lastError."),
    "meta_roadmap_item": ("meta:roadmap-item:{roadmap_id}",
                          "HASH: what the roadmap keeps about an item beside the document's fields (hidden, off, "
                          "issueUpdatedAt, derived, manual, write-back state; docs/roadmap.md)."),
    "meta_roadmap_settings": ("meta:roadmap-settings:{user_id}:{github_repo_id}",
                              "STRING: JSON of an owner's roadmap rules for one repository."),
    "meta_roadmap_deleted": ("meta:roadmap-deleted:{github_repo_id}",
                             "HASH: issue number -> updated_at of an issue deleted or transferred away (tombstone)."),
    "meta_roadmap_sync": ("meta:roadmap-sync:{github_repo_id}",
                          "HASH: progress of a repository's newest roadmap import."),
    "meta_roadmap_watchers": ("meta:roadmap-watchers:{roadmap_id}",
                              "HASH: email -> JSON {requestedAt, confirmedAt} of readers who asked to hear when "
                              "the item ships."),

    # --- stat: our counters and time series ---------------------------------------------------
    "stat_widget_day": ("stat:widget-day:{widget_id}:{day}",
                        "HASH, expires WIDGET_STAT_DAYS after its last write: one UTC day of a widget's figures "
                        "(impressions, clicks, entry.{entryId}), HINCRBY'd in the same MULTI as the totals."),
    "stat_subscriber_mail": ("stat:subscriber-mail:{repo_id}",
                             "HASH of counters: confirmations, updates, digests (mails sent) and failed."),
    "stat_repo_views_day": ("stat:repo-views-day:{repo_id}:{day}",
                            "HASH, expires REPO_STAT_DAYS after its last write: one UTC day of a repository's "
                            "entry-page views (views, uniques: each entry's unique visitors, summed), counted by "
                            "the view's own script (engagement/view_counts.py)."),
    "stat_repo_top_day": ("stat:repo-top-day:{repo_id}:{day}",
                          "ZSET, expires likewise: entry id -> its views that day (ZINCRBY in the same script), the "
                          "analytics page's most viewed entries."),

    # --- lock:, cache: ----------------------------------------------------------------------
    "dodo_webhook": ("lock:dodo-webhook:{webhook_id}", "STRING with a TTL: this Dodo webhook-id was applied."),
    "github_delivery": ("lock:github-delivery:{delivery_id}",
                        "STRING with a TTL: this X-GitHub-Delivery was processed."),
    "lock_usage_counted": ("lock:usage-counted:{user_id}:{month}",
                           "SET of the entry ids whose publishing the month's usage already counted (expires "
                           "USAGE_COUNTED_SECONDS after the last publish)."),
    "lock_subscribers_mailed": ("lock:subscribers-mailed:{repo_id}:{pr_id}",
                                "SET of the addresses a published PR was mailed to (expires SUBSCRIBER_MARK_SECONDS); "
                                "added before sending, so a retried task never mails twice."),
    "lock_digest_mailed": ("lock:digest-mailed:{repo_id}:{period}",
                           "SET of the addresses one digest period was mailed to; added before sending."),
    "lock_digest_run": ("lock:digest-run:{repo_id}:{period}", "STRING with a TTL: this period's digest was queued."),
    "lock_channel_posted": ("lock:channel-posted:{repo_id}:{pr_id}",
                            "SET of the channels (slack, discord) a published PR was posted to."),
    "lock_roadmap_notified": ("lock:roadmap-notified:{roadmap_id}",
                              "SET of the addresses told that the item shipped (SADD before sending)."),
    "cache_widget_body": ("cache:widget-body:{widget_id}",
                          "STRING, expires WIDGET_BODY_SECONDS: '{version} {etag}' newline the public GET "
                          "/api/widget/{widgetId} body; served only while version still matches."),
    "cache_github_pages": ("cache:github-pages:{user_id}",
                           "HASH with a TTL: GitHub API URL -> JSON {etag, body} of the user's last 200."),
    "cache_changelog_version": ("cache:changelog-version:{repo_id}",
                                "STRING with a TTL (CHANGELOG_VERSION_SECONDS): the repository's public changelog "
                                "version, bumped in the same transaction as any change to what readers see (Entry.save when "
                                "published content changes, branding, releases); cached pages carry it."),
    "cache_changelog_body": ("cache:changelog-body:{repo_id}:{variant}",
                             "HASH, expires CHANGELOG_BODY_SECONDS: one rendered public page, feed or sitemap page, "
                             "with the changelog version and connected users it was built for (served only while "
                             "both still match) and what fills its slots (engagement/page_cache.py)."),
    # Django cache keys (django-redis stores them as ``cache:1:<key>``).
    "cache_changelog_entry_html": ("changelog-html:{entry_id}:{digest}",
                                   "An entry's sanitized HTML, under a digest of the text it was rendered from."),
    "cache_webhooks_day": ("webhooks-day:{day}",
                           "INTEGER, expires WEBHOOK_DAY_SECONDS after it is made: verified GitHub deliveries "
                           "processed as they arrived on one UTC day (the admin's totals; best effort, kept out of "
                           "the data so a delivery that changes nothing writes nothing there)."),
}

# idx: keys of earlier versions whose data moved to meta: (kv_reindex carries them over).
LEGACY = {
    "meta_view_visitors": "idx:view-visitors:{entry_id}:{day}",
    "meta_dodo_subscription": "idx:dodo-subscription:{user_id}",
    "meta_dodo_payments": "idx:dodo-payments:{user_id}",
    "meta_dodo_on_hold": "idx:dodo-on-hold",
    "meta_repo_branding": "idx:repo-branding:{repo_id}",
    "meta_repo_releases": "idx:releases:{repo_name}",
    "meta_repo_release_data": "idx:release-data:{repo_name}",
    "meta_entry_edited": "idx:entry-edited:{entry_id}",
    "meta_entry_github": "idx:entry-github:{entry_id}",
    "meta_repo_disconnected": "idx:repo-disconnected:{user_id}",
    "meta_user_notices": "idx:notices:{user_id}",
    "meta_backfill": "idx:backfill:{repo_name}",
}


class Pattern:
    """One key format: its ``:``-separated parts, each a literal or a ``{placeholder}``."""

    def __init__(self, name, text):
        self.name, self.text = name, text
        self.parts = [(match.group(1) if (match := PLACEHOLDER.match(part)) else None, part)
                      for part in text.split(SEP)]
        self.fields = [field for field, _ in self.parts if field]
        self.literals = len(self.parts) - len(self.fields)

    def format(self, values):
        out = []
        for field, literal in self.parts:
            if field is None:
                out.append(literal)
                continue
            out.append(_part(values[field]))
        return SEP.join(out)

    def match(self, pieces):
        """The placeholders of a key split on ``:``, or None when it has another shape."""
        if len(pieces) != len(self.parts):
            return None
        values = {}
        for (field, literal), piece in zip(self.parts, pieces):
            if field is None and piece != literal:
                return None
            if field is not None:
                if not piece:
                    return None
                values[field] = piece
        return values


PATTERNS = {name: Pattern(name, text) for name, (text, _) in TABLE.items()}
LEGACY_PATTERNS = {name: Pattern(name, text) for name, text in LEGACY.items()}
# The most literal parts first: ``widget:impressions:{widget_id}`` wins over ``widget:{user_id}:{repo_id}``.
_BY_SPECIFICITY = sorted(PATTERNS.values(), key=lambda pattern: -pattern.literals)


def _by_shape():
    """(number of parts, first part) -> the patterns a key of that shape may match, most literal
    first; first part None: a first part no pattern spells out. ``parse`` then tries a handful of
    patterns instead of all of them (it runs on public requests: a widget's config key)."""
    firsts = {pattern.parts[0][1] for pattern in _BY_SPECIFICITY if pattern.parts[0][0] is None}
    shapes = {}
    for count in {len(pattern.parts) for pattern in _BY_SPECIFICITY}:
        for first in (*firsts, None):
            shapes[(count, first)] = [pattern for pattern in _BY_SPECIFICITY if len(pattern.parts) == count
                                      and (pattern.parts[0][0] is not None or pattern.parts[0][1] == first)]
    return shapes


_BY_SHAPE = _by_shape()


def _builder(pattern, doc):
    signature = inspect.Signature([inspect.Parameter(field, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                                   for field in pattern.fields])

    fields = pattern.fields

    def build(*args, **kwargs):
        if not kwargs and len(args) == len(fields):  # the usual call: no binding (public pages build dozens)
            return pattern.format(dict(zip(fields, args)))
        return pattern.format(signature.bind(*args, **kwargs).arguments)

    build.__name__ = build.__qualname__ = pattern.name
    build.__signature__ = signature
    build.__doc__ = f"``{pattern.text}``: {doc}"
    return build


globals().update({name: _builder(PATTERNS[name], doc) for name, (_, doc) in TABLE.items()})


def lock(name, *parts):
    """``lock:{name}:...``: idempotency markers and locks."""
    return SEP.join(["lock", *(_part(part) for part in (name, *parts))])


def rate_limit(name, subject, window):
    """``rl:{name}:{subject}:{window}``: a rate-limit window."""
    return SEP.join(["rl", _part(name), _part(subject), _part(window)])


def _part(value):
    value = str(value)
    if SEP in value:
        raise ValueError(f"key part {value!r} may not contain {SEP!r}")
    return value


def parse(key):
    """The table row a key belongs to and its placeholders: ``("entry", {"user_id": ..., ...})``,
    or ``(None, {})`` for a key of no row (another program's, a Django cache key, ``lock:``/``rl:``)."""
    pieces = key.split(SEP)
    shape = _BY_SHAPE.get((len(pieces), pieces[0])) or _BY_SHAPE.get((len(pieces), None), ())
    for pattern in shape:
        values = pattern.match(pieces)
        if values is not None:
            return pattern.name, values
    return None, {}


def parse_legacy(key):
    """``(meta row name, placeholders)`` of an ``idx:`` key of an earlier version whose data now
    lives under ``meta:``, or ``(None, {})``."""
    pieces = key.split(SEP)
    for pattern in LEGACY_PATTERNS.values():
        values = pattern.match(pieces)
        if values is not None:
            return pattern.name, values
    return None, {}


def prefix(name):
    """The prefix of a row (``idx``, ``meta``, ``user``, ...)."""
    return PATTERNS[name].parts[0][1]
