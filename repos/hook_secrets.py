"""Repository webhook secrets, encrypted in the SQL database (``RepoHookSecret``).

They live in SQL, not Redis, so a delivery's signature can be checked while Redis is down and
only verified deliveries ever reach the inbox (docs/webhooks.md). Earlier versions kept them in
Redis at ``idx:hook-secret:{githubRepoId}``; ``HookSecret.get`` carries such a value over on
first use and ``hook_secrets_import_from_redis`` carries all of them over at once.
"""

import logging
import secrets

import redis
from django.db import IntegrityError, transaction

from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from repos.models import RepoHookSecret

log = logging.getLogger(__name__)

REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


class HookSecret:
    """The secret of one repository's webhook, by GitHub's numeric repository id."""

    def __init__(self, github_repo_id):
        self.github_repo_id = int(github_repo_id)

    def __str__(self):
        return f"webhook secret of repository {self.github_repo_id}"

    def _row(self):
        return RepoHookSecret.objects.filter(github_repo_id=self.github_repo_id).first()

    def get(self):
        """The plaintext, or None. Raises ``crypto.InvalidToken`` if no configured key opens it."""
        row = self._row() or _import_one(self.github_repo_id)
        return None if row is None else crypto.decrypt(row.encrypted_secret)

    def set(self, secret):
        if not secret:
            raise ValueError("an empty secret cannot be stored")
        RepoHookSecret.objects.update_or_create(github_repo_id=self.github_repo_id,
                                                defaults={"encrypted_secret": crypto.encrypt(secret)})

    def ensure(self):
        """The repository's secret, created at random when it has none (or none a configured key
        opens). The unique ``github_repo_id`` keeps it to one row however many connect at once."""
        try:
            existing = self.get()
        except crypto.InvalidToken:
            log.warning("replacing the unreadable hook secret of repository %s", self.github_repo_id)
            existing = None
            self.delete()
        if existing:
            return existing
        try:
            with transaction.atomic():
                RepoHookSecret.objects.create(github_repo_id=self.github_repo_id,
                                              encrypted_secret=crypto.encrypt(secrets.token_urlsafe(32)))
        except IntegrityError:
            pass  # a concurrent connect created it first: everyone uses that one
        return self.get()

    def delete(self):
        RepoHookSecret.objects.filter(github_repo_id=self.github_repo_id).delete()

    def reencrypt(self):
        """Re-encrypt under the newest key; True if there was a secret. Raises ``crypto.InvalidToken``
        (and changes nothing) when no configured key opens it."""
        with transaction.atomic():
            row = RepoHookSecret.objects.select_for_update().filter(github_repo_id=self.github_repo_id).first()
            if row is None:
                return False
            row.encrypted_secret = crypto.rotate(row.encrypted_secret)
            row.save(update_fields=["encrypted_secret", "updated_at"])
        return True


def hook_secrets_all():
    """A ``HookSecret`` for every stored secret, connected repository or not (key rotation)."""
    ids = RepoHookSecret.objects.order_by("github_repo_id").values_list("github_repo_id", flat=True)
    return [HookSecret(github_repo_id) for github_repo_id in ids]


def _encrypted(stored):
    """A Redis value as a Fernet token: legacy plaintext gets encrypted; a token no configured key
    opens is kept as it is (key rotation reports it)."""
    if crypto.is_encrypted(stored) or stored.startswith("gAAAAA"):
        return stored
    return crypto.encrypt(stored)


def _import_one(github_repo_id, stored=None):
    """Carry ``idx:hook-secret:{id}`` over to SQL (SQL wins when both exist), then delete it from
    Redis unless it changed meanwhile. Returns the SQL row, or None (no such key, Redis down)."""
    key = keys.idx_hook_secret(github_repo_id)
    try:
        stored = kv.get_client().get(key) if stored is None else stored
    except REDIS_DOWN:
        return None
    if stored is None:
        return None
    try:
        with transaction.atomic():
            row, _ = RepoHookSecret.objects.get_or_create(github_repo_id=github_repo_id,
                                                          defaults={"encrypted_secret": _encrypted(stored)})
    except IntegrityError:
        row = RepoHookSecret.objects.get(github_repo_id=github_repo_id)

    def forget(pipe):
        if pipe.get(key) == stored:
            pipe.multi()
            pipe.delete(key)

    try:
        kv.transaction(forget, key)
    except REDIS_DOWN:
        log.warning("hook secret of repository %s copied to SQL; its Redis copy stays for now", github_repo_id)
    return row


def hook_secrets_import_from_redis(scan):
    """Carry every hook secret still in Redis (``idx:hook-secret:*``) over to SQL; idempotent.

    Offline only (``kv_reindex``, ``rotate_token_keys``): ``scan(match)`` iterates the keyspace, and
    the management command that calls it passes redis-py's ``scan_iter``, as ``kv_reindex`` does.
    Returns the number of secrets carried over."""
    prefix = keys.idx_hook_secret("")
    imported = 0
    for key in scan(keys.idx_hook_secret("*")):
        suffix = key[len(prefix):]
        if suffix.isdigit() and _import_one(int(suffix)) is not None:
            imported += 1
    return imported
