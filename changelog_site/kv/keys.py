"""Every Redis key Shiplog reads or writes is built here, and nowhere else.

Two families:

* the data document's keys (``user:``, ``repo:``, ``entry:``, ...), exactly as written there;
* our own keys, under ``idx:`` (indexes), ``lock:`` (idempotency markers and locks),
  ``rl:`` (rate-limit windows) and ``cache:`` (Django's cache, prefixed by django-redis).
  None of those prefixes is a document prefix, so the two families never collide.

``parse`` does the reverse for ``kv_reindex``, which meets keys written by other
implementations of the document.
"""

import re

SEP = ":"
OWN_PREFIXES = ("idx", "lock", "rl", "cache")
REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def _join(*parts):
    text = [str(part) for part in parts]
    for part in text[1:]:
        if SEP in part:
            raise ValueError(f"key part {part!r} may not contain {SEP!r}")
    return SEP.join(text)


# --- the data document's keys --------------------------------------------------------

def user(user_id):
    return _join("user", user_id)


def github_token(user_id):
    return _join("user", user_id, "github_token")


def dodo_customer_id(user_id):
    return _join("user", user_id, "dodo_customer_id")


def dodo_subscription_id(user_id):
    return _join("user", user_id, "dodo_subscription_id")


def repo(user_id, repo_id):
    return _join("repo", user_id, repo_id)


def repo_user(repo_name, user_id):
    return _join("repo", repo_name, "users", user_id)


def entry(user_id, repo_id, pr_id):
    return _join("entry", user_id, repo_id, pr_id)


def usage(user_id, month):
    return _join("usage", user_id, month)


def social(user_id, entry_id, platform):
    return _join("social", user_id, entry_id, platform)


def widget(user_id, repo_id):
    return _join("widget", user_id, repo_id)


def widget_impressions(widget_id):
    return _join("widget", "impressions", widget_id)


def widget_clicks(widget_id):
    return _join("widget", "clicks", widget_id)


def widget_entry_clicks(widget_id, entry_id):
    return _join("widget", "entry", widget_id, entry_id, "clicks")


def subscriber(repo_id, email):
    return _join("subscriber", repo_id, email)


def page_views(entry_id, day):
    return _join("analytics", "views", entry_id, day)


def visitor(visitor_id):
    return _join("analytics", "visitor", visitor_id)


def entry_upvotes(entry_id):
    return _join("analytics", "upvotes", entry_id)


def entry_upvoters(entry_id):
    return _join("analytics", "upvotes", entry_id, "voters")


def roadmap_item(user_id, repo_id, issue_id):
    return _join("roadmap", user_id, repo_id, issue_id)


def roadmap_upvotes(roadmap_id):
    return _join("roadmap", "upvotes", roadmap_id)


def roadmap_upvoters(roadmap_id):
    return _join("roadmap", "upvotes", roadmap_id, "voters")


# --- our own index keys (idx:) ---------------------------------------------------------

def idx_users():
    """SET of every userId."""
    return _join("idx", "users")


def idx_user_repos(user_id):
    """SET of the repoIds (owner/repo) a user connected."""
    return _join("idx", "user-repos", user_id)


def idx_repo_users(repo_name):
    """SET of the userIds that connected a repository."""
    return _join("idx", "repo-users", repo_name)


def idx_github_repo(github_repo_id):
    """STRING: GitHub's numeric repository id -> current owner/repo (survives renames)."""
    return _join("idx", "github-repo", github_repo_id)


def idx_user_entries(user_id, status):
    """ZSET of a user's entry ids in one status, scored by mergedAt (epoch seconds)."""
    return _join("idx", "entries", user_id, status)


def idx_repo_entries(user_id, repo_id, status):
    """ZSET of a user's entry ids of one repository in one status, scored by mergedAt."""
    return _join("idx", "entries", user_id, repo_id, status)


def idx_entry(entry_id):
    """STRING: entry id -> its entry: key."""
    return _join("idx", "entry", entry_id)


def idx_entry_view_days(entry_id):
    """ZSET of the days (YYYY-MM-DD, scored by ordinal) with a page-view record for an entry."""
    return _join("idx", "view-days", entry_id)


def idx_page_view_visitors(entry_id, day):
    """SET of the visitor ids seen on one entry on one day (expires; dedupes unique visitors)."""
    return _join("idx", "view-visitors", entry_id, day)


def idx_widget(widget_id):
    """STRING: widget id -> its widget: key."""
    return _join("idx", "widget", widget_id)


def idx_social_platforms(user_id, entry_id):
    """SET of the platforms with a social draft for an entry."""
    return _join("idx", "social", user_id, entry_id)


def idx_repo_subscribers(repo_id):
    """SET of the subscriber emails of a repository."""
    return _join("idx", "subscribers", repo_id)


def idx_roadmap_items(user_id, repo_id):
    """ZSET of a user's roadmap item ids for a repository, scored by issue number."""
    return _join("idx", "roadmap-items", user_id, repo_id)


def idx_roadmap(roadmap_id):
    """STRING: roadmap item id -> its roadmap: key."""
    return _join("idx", "roadmap", roadmap_id)


def idx_dodo_customer(customer_id):
    """STRING: DodoPayments customer id -> userId."""
    return _join("idx", "dodo-customer", customer_id)


def idx_dodo_subscription(user_id):
    """STRING (JSON ``{"subscriptionId", "status", "productId", "nextBillingDate",
    "cancelAtNextBillingDate", "currency", "amount", "eventType", "eventAt"}``): the newest
    DodoPayments subscription event applied to a user. ``eventAt`` orders events: an older one
    arriving later is ignored, so it never downgrades (docs/billing.md)."""
    return _join("idx", "dodo-subscription", user_id)


def idx_dodo_payments(user_id):
    """HASH: Dodo payment id -> JSON ``{"paymentId", "status", "totalAmount", "currency",
    "subscriptionId", "createdAt", "eventType", "eventAt"}``: the payments seen in webhooks,
    shown on the Billing page. Deleted with the account."""
    return _join("idx", "dodo-payments", user_id)


def idx_dodo_on_hold():
    """ZSET of userIds whose subscription is on hold, scored by the paid period's end (epoch
    seconds): the ``billing.on_hold_expire`` task moves them to free once it has passed."""
    return _join("idx", "dodo-on-hold")


def dodo_webhook(webhook_id):
    """STRING with a TTL: this Dodo ``webhook-id`` was applied (written in the same MULTI as the
    change, so a redelivery is acknowledged and changes nothing)."""
    return _join("lock", "dodo-webhook", webhook_id)


def idx_user_related_repos(user_id):
    """SET of every repoId a user has had data for (connected, widget, roadmap items).

    Unlike ``idx:user-repos`` it is not shrunk on disconnect: account deletion and the GDPR
    export walk it to reach widgets and roadmap items of repositories no longer connected.
    """
    return _join("idx", "user-related-repos", user_id)


def idx_hook_secret(github_repo_id):
    """STRING: a Fernet token of the repository webhook's secret, keyed by GitHub's numeric
    repository id so it survives renames. One webhook per repository, shared by every user
    who connected it; deleted with the webhook when the last of them disconnects."""
    return _join("idx", "hook-secret", github_repo_id)


def cache_github_pages(user_id):
    """HASH: GitHub API URL -> JSON ``{"etag", "body"}`` of the last 200 response for that user,
    so repository listings are fetched with ``If-None-Match`` (a 304 costs no rate limit).
    Expires a day after the last write; deleted with the account."""
    return _join("cache", "github-pages", user_id)


# --- public changelog: branding, caches, rate limits (docs/public-changelog.md) -------------

def idx_repo_branding(repo_id):
    """STRING (JSON ``{"name", "logoUrl", "accentColor", "updatedAt"}``): a repository's public
    changelog branding, shared by every user who connected it."""
    return _join("idx", "repo-branding", repo_id)


def idx_repo_releases(repo_name):
    """ZSET of a repository's published GitHub releases: member = GitHub's release id, score =
    ``published_at`` (epoch seconds). Written by ``release`` webhooks; the public changelog groups
    entries by it (docs/public-changelog.md). Moved on rename; deleted with the last account."""
    return _join("idx", "releases", repo_name)


def idx_repo_release_data(repo_name):
    """HASH: GitHub release id -> JSON ``{"id", "tagName", "name", "htmlUrl", "publishedAt"}`` of the
    releases in ``idx:releases:{repoName}``, written and removed in the same MULTI as the ZSET."""
    return _join("idx", "release-data", repo_name)


def cache_changelog_version(repo_id):
    """STRING (a nanosecond timestamp): the repository's public changelog version. Set in the same
    MULTI as every entry write (``Entry.add_to_indexes``) and by ``changelog_invalidate``; the cached
    listing and rendered entries below are stored under it, so a new version retires them all."""
    return _join("cache", "changelog-version", repo_id)


def cache_changelog_listing(repo_id, version):
    """Django cache key: the repository's deduplicated published listing at one version."""
    return _join("changelog-listing", repo_id, version)


def cache_changelog_page(repo_id, version, variant):
    """Django cache key: one page of the public changelog (rows, rendered entries, branding) at one
    version; ``variant`` is a hash of the page's category filter, cursor and size."""
    return _join("changelog-page", repo_id, version, variant)


def cache_changelog_entry_html(entry_id, version):
    """Django cache key: an entry's rendered (sanitized) HTML at one changelog version."""
    return _join("changelog-html", entry_id, version)


# --- locks, markers, rate limits --------------------------------------------------------

def lock(name, *parts):
    return _join("lock", name, *parts)


def rate_limit(name, subject, window):
    return _join("rl", name, subject, window)


# --- GitHub sync: webhooks, backfill (docs/webhooks.md) ---------------------------------

def idx_entry_user_edited(entry_id):
    """SET of the entry fields (title, body, category) the user edited; GitHub events leave them alone."""
    return _join("idx", "entry-edited", entry_id)


def idx_entry_github(entry_id):
    """HASH of what GitHub told us about an entry's PR: ``prUpdatedAt`` (the newest event applied,
    so older redeliveries never win), ``revert`` ("1" for a revert PR) and ``revertsPr``."""
    return _join("idx", "entry-github", entry_id)


def idx_repo_disconnected(user_id):
    """HASH repoName -> JSON ``{"reason", "at"}``: repositories GitHub deleted under a user."""
    return _join("idx", "repo-disconnected", user_id)


def idx_user_notices(user_id):
    """LIST (newest first, capped) of JSON notices for the dashboard: ``{"kind", "repo", "message", "at"}``."""
    return _join("idx", "notices", user_id)


def idx_backfill(repo_name):
    """HASH: progress of the newest backfill of a repository (state, pages, seen, created, ...)."""
    return _join("idx", "backfill", repo_name)


def github_delivery(delivery_id):
    """STRING with a TTL: this X-GitHub-Delivery was processed (redeliveries are acknowledged only)."""
    return _join("lock", "github-delivery", delivery_id)


# --- parsing, for kv_reindex --------------------------------------------------------------

def parse(key):
    """Name the document collection a key belongs to, with its placeholders.

    Returns ``(collection, fields)`` or ``(None, {})`` for keys that are ours or unknown.
    """
    parts = key.split(SEP)
    head, n = parts[0], len(parts)
    if head in OWN_PREFIXES:
        return None, {}
    if head == "user":
        if n == 2:
            return "user", {"user_id": parts[1]}
        if n == 3 and parts[2] in ("github_token", "dodo_customer_id", "dodo_subscription_id"):
            return parts[2], {"user_id": parts[1]}
    elif head == "repo":
        if n == 3:
            return "repo", {"user_id": parts[1], "repo_id": parts[2]}
        if n == 4 and parts[2] == "users":
            return "repo_user", {"repo_name": parts[1], "user_id": parts[3]}
    elif head == "entry" and n == 4:
        return "entry", {"user_id": parts[1], "repo_id": parts[2], "pr_id": parts[3]}
    elif head == "usage" and n == 3:
        return "usage", {"user_id": parts[1], "month": parts[2]}
    elif head == "social" and n == 4:
        return "social", {"user_id": parts[1], "entry_id": parts[2], "platform": parts[3]}
    elif head == "widget":
        if n == 3 and parts[1] in ("impressions", "clicks"):
            return f"widget_{parts[1]}", {"widget_id": parts[2]}
        if n == 5 and parts[1] == "entry" and parts[4] == "clicks":
            return "widget_entry_clicks", {"widget_id": parts[2], "entry_id": parts[3]}
        if n == 3:
            return "widget", {"user_id": parts[1], "repo_id": parts[2]}
    elif head == "subscriber" and n == 3:
        return "subscriber", {"repo_id": parts[1], "email": parts[2]}
    elif head == "analytics" and n >= 3:
        kind = parts[1]
        if kind == "views" and n == 4:
            return "page_views", {"entry_id": parts[2], "day": parts[3]}
        if kind == "visitor" and n == 3:
            return "visitor", {"visitor_id": parts[2]}
        if kind == "upvotes" and n == 3:
            return "entry_upvotes", {"entry_id": parts[2]}
        if kind == "upvotes" and n == 4 and parts[3] == "voters":
            return "entry_upvoters", {"entry_id": parts[2]}
    elif head == "roadmap":
        if n == 3 and parts[1] == "upvotes":
            return "roadmap_upvotes", {"roadmap_id": parts[2]}
        if n == 4 and parts[1] == "upvotes" and parts[3] == "voters":
            return "roadmap_upvoters", {"roadmap_id": parts[2]}
        if n == 4:
            return "roadmap", {"user_id": parts[1], "repo_id": parts[2], "issue_id": parts[3]}
    return None, {}
