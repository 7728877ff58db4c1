"""Whether a delivery really comes from GitHub: ``X-Hub-Signature-256`` against our secrets.

``GITHUB_WEBHOOK_SECRET`` is the operator's own: it vouches for any delivery. A repository's own
secret (``repos.hook_secrets``, kept in SQL so deliveries can be checked while Redis is
down) vouches only for deliveries about that repository.
"""

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import DatabaseError

from changelog_site import crypto
from entries import github_pr
from github_sync.services.payloads import parse_payload
from repos.hook_secrets import HookSecret

log = logging.getLogger(__name__)

OK, BAD, UNAVAILABLE = "ok", "bad", "unavailable"


def signature_matches(secret, body, header):
    """``X-Hub-Signature-256`` is ``sha256=`` + hex HMAC-SHA256 of the raw body; constant-time compare."""
    if not secret or not header:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "surrogateescape"))


def _hook_target_id(headers):
    """GitHub's numeric id of the repository whose own hook sent this, as its headers say."""
    if (headers.get("X-GitHub-Hook-Installation-Target-Type") or "").lower() != "repository":
        return None
    target = (headers.get("X-GitHub-Hook-Installation-Target-ID") or "").strip()
    return int(target) if target.isdigit() else None


def _payload_repo_id(headers, body):
    """The payload's ``repository.id``, or None (no repository, or a body that does not parse)."""
    try:
        repository = parse_payload(body, headers.get("Content-Type") or "").get("repository")
    except github_pr.PayloadError:
        return None
    repo_id = repository.get("id") if isinstance(repository, dict) else None
    return repo_id if isinstance(repo_id, int) and not isinstance(repo_id, bool) else None


def _repo_hook_secret(github_repo_id):
    """The repository's own secret, or None. Raises ``DatabaseError`` when SQL is unreadable."""
    try:
        return HookSecret(github_repo_id).get()
    except crypto.InvalidToken:
        log.warning("the hook secret of repository %s cannot be decrypted", github_repo_id)
        return None


def signature_verdict(headers, body):
    """``OK``, ``BAD`` or ``UNAVAILABLE`` (the SQL database, where the secrets are, is down).

    A repository's own secret vouches for a delivery only when its payload's ``repository.id``
    is the repository whose secret signed it (and the one the hook headers name, if they do), so
    one tenant's secret can never act on another tenant's repository. The hook headers pick the
    secret before the body is parsed, so a forged body is refused without parsing it.
    """
    header = headers.get("X-Hub-Signature-256") or ""
    if not header.startswith("sha256="):
        return BAD
    if signature_matches(settings.GITHUB_WEBHOOK_SECRET, body, header):
        return OK
    target = _hook_target_id(headers)
    repo_id = target if target is not None else _payload_repo_id(headers, body)
    if repo_id is None:
        return BAD
    try:
        secret = _repo_hook_secret(repo_id)
    except DatabaseError:
        log.warning("SQL unreadable: cannot check a delivery signed for repository %s", repo_id)
        return UNAVAILABLE
    if not signature_matches(secret, body, header):
        return BAD
    if target is not None and _payload_repo_id(headers, body) != target:
        return BAD
    return OK
