"""Accounts: signup with its ``user:{userId}`` record, location, API tokens, export and deletion."""

import logging
from datetime import date

import redis
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import SHOWN_PREFIX_LENGTH, ApiToken, new_token, token_digest
from billing.models import LOCATIONS, Account, DodoIds, Usage, User, new_user_id
from billing.services import billing_export
from changelog_site import crypto
from changelog_site.errors import ApiError
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import parse_iso
from engagement.models import EntryUpvotes, PageViews, Subscriber
from entries.models import STATUSES, Entry, SocialPost
from entries.services import entry_purge
from github_sync.models import SyncSettings
from repos.models import GitHubToken, HookSecret, Repo
from repos.services import repo_disconnect
from roadmap.models import RoadmapItem, RoadmapUpvotes
from widget.models import WidgetConfig, WidgetCounters

log = logging.getLogger(__name__)

INDIA_LANGUAGES = ("hi", "bn", "ta", "te", "mr", "gu", "kn", "ml", "pa", "or", "as", "ur")
FERNET_MARK = "gAAAAA"
COUNTRY_HEADERS = ("HTTP_CF_IPCOUNTRY", "HTTP_CLOUDFRONT_VIEWER_COUNTRY", "HTTP_X_COUNTRY_CODE",
                   "HTTP_X_VERCEL_IP_COUNTRY", "HTTP_X_APPENGINE_COUNTRY")


def location_default(request):
    """'in' when the request's country header says India, or its language is Indian; else 'intl'."""
    if request is None:
        return "intl"
    for header in COUNTRY_HEADERS:
        country = request.META.get(header, "").strip().upper()
        if country:
            return "in" if country == "IN" else "intl"
    languages = request.META.get("HTTP_ACCEPT_LANGUAGE", "").lower()
    for part in languages.split(","):
        tag = part.split(";")[0].strip()
        if tag.endswith("-in") or tag.split("-")[0] in INDIA_LANGUAGES:
            return "in"
    return "intl"


def _checked_location(location):
    if location not in LOCATIONS:
        raise ApiError(400, "invalid", "Location must be 'in' or 'intl'.", errors={"location": "must be in or intl"})
    return location


def account_signup(*, create_django_user, email=None, location="intl"):
    """Create the Django account (``create_django_user()`` saves and returns it), its Account
    link and the ``user:{userId}`` record as one step.

    The SQL rows are written in a transaction and the Redis record last inside it: a Redis
    failure rolls the SQL back, and an SQL failure after the Redis write deletes the record.
    """
    location = _checked_location(location)
    written = []
    try:
        with transaction.atomic():
            django_user = create_django_user()
            account = Account.objects.create(user=django_user, shiplog_user_id=new_user_id())
            record = User(id=account.shiplog_user_id, email=(email or django_user.email or "").lower(),
                          plan="free", location=location)
            written.append(record)
            record.save()
    except Exception:
        for record in written:
            _delete_quietly(record)
        raise
    return django_user, record


def _delete_quietly(record):
    try:
        record.delete()
    except redis.RedisError:
        log.exception("Could not remove %s after a failed signup", record.key())


def shiplog_user_id(django_user, request=None):
    """The userId linked to a Django user, giving an account made outside signup (e.g.
    ``createsuperuser``) its record on first use."""
    account = Account.objects.filter(user=django_user).first()
    if account is not None:
        return account.shiplog_user_id
    _, record = account_signup(create_django_user=lambda: django_user, location=location_default(request))
    return record.id


def account_location_set(*, user_id, location):
    location = _checked_location(location)

    def update(pipe):
        raw = pipe.get(keys.user(user_id))
        if raw is None:
            raise ApiError(404, "not_found", "This account has no user record.")
        record = User.loads(raw)
        record.location = location
        pipe.multi()
        record.save(pipe=pipe)
        return record

    return kv.transaction(update, keys.user(user_id))


def account_profile(*, user_id):
    record = User.get(user_id)
    if record is None:
        raise ApiError(404, "not_found", "This account has no user record.")
    return {
        **record.to_dict(),
        "githubConnected": GitHubToken(user_id).exists(),
        "repos": sorted(kv.get_client().smembers(keys.idx_user_repos(user_id)), key=str.lower),
        "usage": Usage(user_id).get(),
    }


# --- personal API tokens -----------------------------------------------------------------

def api_token_create(*, django_user, name=""):
    """Returns ``(ApiToken, plaintext)``; the plaintext is shown once and never stored."""
    token = new_token()
    api_token = ApiToken.objects.create(user=django_user, name=(name or "").strip()[:100],
                                        prefix=token[:SHOWN_PREFIX_LENGTH], digest=token_digest(token))
    return api_token, token


def api_token_list(*, django_user):
    return list(ApiToken.objects.filter(user=django_user, revoked_at=None))


def api_token_revoke(*, django_user, token_id):
    updated = ApiToken.objects.filter(user=django_user, pk=token_id, revoked_at=None).update(revoked_at=timezone.now())
    if not updated:
        raise ApiError(404, "not_found", "No such active token.")


# --- everything of one user: export and deletion ---------------------------------------------

class UserData:
    """Every record of one user, found through the indexes (never SCAN)."""

    def __init__(self, user_id):
        client = kv.get_client()
        self.user_id = user_id
        self.record = User.get(user_id)
        self.repos = Repo.for_user(user_id)
        entry_ids = []
        for status in STATUSES:
            entry_ids.extend(client.zrange(keys.idx_user_entries(user_id, status), 0, -1))
        self.entries = Entry.get_many_by_ids(entry_ids)
        self.repo_ids = sorted(set(client.smembers(keys.idx_user_related_repos(user_id)))
                               | set(client.smembers(keys.idx_user_repos(user_id)))
                               | {entry.repoId for entry in self.entries}, key=str.lower)
        self.widgets = [widget for widget in (WidgetConfig.get(user_id, repo_id) for repo_id in self.repo_ids)
                        if widget]
        self.roadmap_items = [item for repo_id in self.repo_ids for item in RoadmapItem.for_repo(user_id, repo_id)]
        self.social_posts = [post for entry in self.entries for post in SocialPost.for_entry(user_id, entry.id)]
        self.months = usage_months(self.record)

    def subscribers(self, repo_ids):
        return [subscriber for repo_id in repo_ids for subscriber in Subscriber.for_repo(repo_id)]


def usage_months(record):
    """The YYYY-MM months a user can have usage for: from the month before signup to next month."""
    today = date.today()
    start = today
    if record is not None:
        try:
            start = min(today, parse_iso(record.createdAt).date())
        except (TypeError, ValueError):
            start = date(2020, 1, 1)
    year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    months = []
    while (year, month) <= (today.year + (today.month == 12), today.month % 12 + 1):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def account_export(*, user_id, django_user=None):
    """All of a user's data as one JSON-ready dict (GDPR). The GitHub token is never included."""
    data = UserData(user_id)
    entry_ids = [entry.id for entry in data.entries]
    usage = {month: Usage(user_id, month).get() for month in data.months}
    export = {
        "exportedAt": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": data.record.to_dict() if data.record else None,
        "githubConnected": GitHubToken(user_id).exists(),
        "payments": DodoIds(user_id).get(),
        "billing": billing_export(user_id=user_id),
        "usage": {month: values for month, values in usage.items() if any(values.values())},
        "repos": [repo.to_dict() for repo in data.repos],
        "entries": [dict(entry.to_dict(), upvotes=EntryUpvotes(entry.id).count(),
                         pageViews=PageViews(entry.id).days()) for entry in data.entries],
        "socialPosts": [post.to_dict() for post in data.social_posts],
        "widgets": [dict(widget.with_live_counts().to_dict(),
                         entryClicks=WidgetCounters(widget.id).entry_clicks(entry_ids)) for widget in data.widgets],
        "roadmapItems": [dict(item.to_dict(), upvotes=RoadmapUpvotes(item.id).count())
                         for item in data.roadmap_items],
        "subscribers": [subscriber.to_dict() for subscriber in data.subscribers([r.name for r in data.repos])],
        "syncRules": [{"githubRepoId": rules.github_repo_id, "skipLabel": rules.skip_label,
                       "skipBots": rules.skip_bots, "botPatterns": rules.bot_patterns,
                       "categoryRules": rules.category_rules}
                      for rules in SyncSettings.objects.filter(user_id=user_id)],
    }
    if django_user is not None:
        export["apiTokens"] = [{"name": token.name, "prefix": token.prefix, "createdAt": token.created_at.isoformat(),
                                "revokedAt": token.revoked_at.isoformat() if token.revoked_at else None}
                               for token in ApiToken.objects.filter(user=django_user)]
    for subscriber in export["subscribers"]:
        subscriber.pop("confirmToken", None)
    return export


def account_delete(*, user_id):
    """Delete every key of the user in every collection, the webhooks it alone had, and its
    Django account.

    Repositories are disconnected first (a revoked GitHub token leaves a webhook behind
    rather than keeping the account alive); everything else goes in one MULTI. The
    per-repository keys (subscribers, branding, releases, changelog version, backfill progress)
    and the shared webhook of a repository another user still has connected stay theirs.
    """
    for repo in Repo.for_user(user_id):
        repo_disconnect(user_id=user_id, name=repo.name, strict=False)
    data = UserData(user_id)
    orphaned_repo_ids = [repo_id for repo_id in data.repo_ids if not Repo.user_ids_for(repo_id)]
    subscribers = data.subscribers(orphaned_repo_ids)
    entry_ids = [entry.id for entry in data.entries]
    customer_id = DodoIds(user_id).get()["customerId"]
    with kv.atomic() as pipe:
        for entry in data.entries:
            entry_purge(entry, pipe=pipe)
        for widget in data.widgets:
            WidgetCounters(widget.id).delete(entry_ids=entry_ids, pipe=pipe)
            widget.delete(pipe=pipe)
        for item in data.roadmap_items:
            RoadmapUpvotes(item.id).delete(pipe=pipe)
            item.delete(pipe=pipe)
        for subscriber in subscribers:
            subscriber.delete(pipe=pipe)
        for repo_id in orphaned_repo_ids:
            pipe.delete(keys.idx_repo_branding(repo_id), keys.cache_changelog_version(repo_id),
                        keys.idx_backfill(repo_id), keys.idx_repo_releases(repo_id),
                        keys.idx_repo_release_data(repo_id))
        for month in data.months:
            Usage(user_id, month).delete(pipe=pipe)
        DodoIds(user_id).delete(customer_id=customer_id, pipe=pipe)
        GitHubToken(user_id).delete(pipe=pipe)
        pipe.delete(keys.cache_github_pages(user_id), keys.idx_user_related_repos(user_id),
                    keys.idx_user_repos(user_id), keys.idx_repo_disconnected(user_id),
                    keys.idx_user_notices(user_id))
        for status in STATUSES:
            pipe.delete(keys.idx_user_entries(user_id, status))
        pipe.delete(keys.user(user_id))
        pipe.srem(keys.idx_users(), user_id)
    SyncSettings.objects.filter(user_id=user_id).delete()
    account = Account.objects.select_related("user").filter(shiplog_user_id=user_id).first()
    if account is not None:
        account.user.delete()
    log.info("Deleted account %s", user_id)


def account_by_email(email):
    return get_user_model().objects.filter(email__iexact=email).first()


# --- key rotation ----------------------------------------------------------------------------

def secrets_to_reencrypt():
    """Every encrypted secret: each user's GitHub token and each connected repository's hook secret."""
    found = []
    github_repo_ids = set()
    for user_id in User.all_ids():
        found.append((f"github token of {user_id}", GitHubToken(user_id)))
        for repo in Repo.for_user(user_id):
            if repo.githubRepoId not in github_repo_ids:
                github_repo_ids.add(repo.githubRepoId)
                found.append((f"webhook secret of {repo.name}", HookSecret(repo.githubRepoId)))
    return found


def secrets_reencrypt(secrets, progress=lambda: None):
    result = {"rotated": 0, "missing": 0, "unreadable": []}
    client = kv.get_client()
    for label, secret in secrets:
        stored = client.get(secret.key())
        try:
            if stored is not None and stored.startswith(FERNET_MARK) and not crypto.is_encrypted(stored):
                raise crypto.InvalidToken
            if secret.reencrypt():
                result["rotated"] += 1
            else:
                result["missing"] += 1
        except crypto.InvalidToken:
            result["unreadable"].append(label)
        progress()
    return result
