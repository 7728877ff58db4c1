"""Accounts: signup with its ``user:{userId}`` record, location, API tokens, export and deletion."""

import logging

import redis
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import SHOWN_PREFIX_LENGTH, ApiToken, new_token, token_digest
from billing.models import LOCATIONS, Account, Usage, User, new_user_id
from changelog_site import crypto
from changelog_site.errors import ApiError
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.registry import export_tree, registry
from github_sync.hook_secrets import HookSecret, hook_secrets_all, hook_secrets_import_from_redis
from github_sync.models import SyncSettings
from repos.models import GitHubToken, Repo, related_repo_ids
from repos.services import repo_disconnect

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
#
# Both walk the registry of record classes (changelog_site.kv.registry) from the user's record:
# every class whose records hang off a user, an entry, a widget... is reached, never a key list.


def _shared_records(repo_ids):
    """The records the users of ``repo_ids`` share (subscribers, branding, releases...)."""
    client = kv.get_client()
    return [record for repo_id in repo_ids for record_class in registry.repo_scoped("repo")
            for record in record_class.of_repo(client, repo_id)]


def account_export(*, user_id, django_user=None):
    """All of a user's data as one JSON-ready dict (GDPR). The GitHub token is never included."""
    root = User.get_or_placeholder(user_id)
    connected = [repo.name for repo in Repo.for_user(user_id)]
    export = {"exportedAt": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
              **export_tree(root, shared=_shared_records(connected))}
    export["syncRules"] = [{"githubRepoId": rules.github_repo_id, "skipLabel": rules.skip_label,
                            "skipBots": rules.skip_bots, "botPatterns": rules.bot_patterns,
                            "categoryRules": rules.category_rules}
                           for rules in SyncSettings.objects.filter(user_id=user_id)]
    if django_user is not None:
        export["apiTokens"] = [{"name": token.name, "prefix": token.prefix, "createdAt": token.created_at.isoformat(),
                                "revokedAt": token.revoked_at.isoformat() if token.revoked_at else None}
                               for token in ApiToken.objects.filter(user=django_user)]
    return export


def account_delete(*, user_id):
    """Delete every key of the user in every collection, the webhooks it alone had, and its
    Django account.

    Repositories are disconnected first (a revoked GitHub token leaves a webhook behind
    rather than keeping the account alive); then the user's record and its whole family go in
    one MULTI, with the keys shared by the users of repositories nobody else has any more
    (subscribers, branding, releases, changelog version, backfill progress). Those of a
    repository another user still has connected, and its webhook, stay theirs.
    """
    for repo in Repo.for_user(user_id):
        repo_disconnect(user_id=user_id, name=repo.name, strict=False)
    root = User.get_or_placeholder(user_id)
    orphaned = [repo_id for repo_id in related_repo_ids(user_id) if not Repo.user_ids_for(repo_id)]
    shared = _shared_records(orphaned)
    with kv.atomic() as pipe:
        root.delete(pipe)
        for record in shared:
            record.delete(pipe)
    SyncSettings.objects.filter(user_id=user_id).delete()
    account = Account.objects.select_related("user").filter(shiplog_user_id=user_id).first()
    if account is not None:
        account.user.delete()
    log.info("Deleted account %s", user_id)


def account_by_email(email):
    return get_user_model().objects.filter(email__iexact=email).first()


# --- key rotation ----------------------------------------------------------------------------

def secrets_to_reencrypt():
    """Every encrypted secret: each user's GitHub token (Redis) and every repository's hook secret
    (SQL, whether or not the repository is still connected; any still in Redis from before they
    moved to SQL are carried over first)."""
    hook_secrets_import_from_redis()
    found = [(f"github token of {user_id}", GitHubToken(user_id)) for user_id in User.all_ids()]
    return found + [(str(secret), secret) for secret in hook_secrets_all()]


def secrets_reencrypt(secrets, progress=lambda: None):
    result = {"rotated": 0, "missing": 0, "unreadable": []}
    client = kv.get_client()
    for label, secret in secrets:
        stored = None if isinstance(secret, HookSecret) else client.get(secret.key())  # SQL: always a token
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
