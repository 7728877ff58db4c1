"""Re-encrypting every secret under the newest key of ``TOKEN_ENCRYPTION_KEYS``
(``manage.py rotate_token_keys``): each user's GitHub token (Redis) and every repository's webhook
secret (SQL, whether or not the repository is still connected)."""

from accounts.models import User
from changelog_site import crypto
from changelog_site.kv import client as kv
from repos.hook_secrets import HookSecret, hook_secrets_all, hook_secrets_import_from_redis
from repos.models import GitHubToken

FERNET_MARK = "gAAAAA"


def secrets_to_reencrypt(scan):
    """``[(label, secret)]`` of every encrypted secret; hook secrets still in Redis from before
    they moved to SQL are carried over first (``scan(match)``: the command's keyspace scan)."""
    hook_secrets_import_from_redis(scan)
    found = [(f"github token of {user_id}", GitHubToken(user_id)) for user_id in User.all_ids()]
    return found + [(str(secret), secret) for secret in hook_secrets_all()]


def secrets_reencrypt(secrets, progress=lambda: None):
    """Re-encrypt each; ``{"rotated", "missing", "unreadable": [labels no configured key opens]}``."""
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
