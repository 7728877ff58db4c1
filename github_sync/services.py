"""GitHub sync: webhook deliveries, repository renames and deletions, the SQL inbox, backfill.

See docs/webhooks.md for the rules. ``delivery_receive`` is all the view calls: it verifies,
parses and either processes a delivery at once (``delivery_process``) or keeps it in the SQL
inbox when Redis is unreachable (``inbox_drain`` processes those later, in order).
"""

import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs

import redis
import requests
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from changelog_site import crypto
from changelog_site.errors import ApiError, error_body
from changelog_site.kv import client as kv
from changelog_site.kv import keys, locks
from changelog_site.kv.registry import registry
from changelog_site.kv.records import ValidationError, iso, parse_iso, utc_now
from engagement.services import changelog_invalidate
from entries import github_pr
from entries.services import entries_sync_from_pr, late_create_allowed
from github_sync.hook_secrets import HookSecret
from github_sync.models import SyncSettings, WebhookDelivery
from repos.models import GitHubToken, Repo
from roadmap import shipping as roadmap_shipping
from roadmap import sync as roadmap_sync

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
JSON_TYPES = ("application/json",)
FORM_TYPE = "application/x-www-form-urlencoded"
PR_ACTIONS = ("closed", "edited", "labeled", "unlabeled")
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)
RETRY_AFTER = "30"
NOTICES_KEPT = 50
DELIVERY_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
INBOX_KEEP_PROCESSED = timedelta(days=7)


@dataclass
class Reply:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)


def _error(status, code, detail, headers=None):
    return Reply(status, error_body(code, detail), headers or {})


# --- signatures ---------------------------------------------------------------------------

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
    """``"ok"``, ``"bad"`` or ``"unavailable"`` (the SQL database, where the secrets are, is down).

    ``GITHUB_WEBHOOK_SECRET`` is the operator's own: it vouches for any delivery. A repository's
    own secret vouches only for deliveries about that repository: its payload's ``repository.id``
    must be the repository whose secret signed it (and the one the hook headers name, if they do),
    so one tenant's secret can never act on another tenant's repository. The hook headers pick
    the secret before the body is parsed, so a forged body is refused without parsing it.
    """
    header = headers.get("X-Hub-Signature-256") or ""
    if not header.startswith("sha256="):
        return "bad"
    if signature_matches(settings.GITHUB_WEBHOOK_SECRET, body, header):
        return "ok"
    target = _hook_target_id(headers)
    repo_id = target if target is not None else _payload_repo_id(headers, body)
    if repo_id is None:
        return "bad"
    try:
        secret = _repo_hook_secret(repo_id)
    except DatabaseError:
        log.warning("SQL unreadable: cannot check a delivery signed for repository %s", repo_id)
        return "unavailable"
    if not signature_matches(secret, body, header):
        return "bad"
    if target is not None and _payload_repo_id(headers, body) != target:
        return "bad"
    return "ok"


# --- parsing ---------------------------------------------------------------------------------

def _media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _json_text(body, content_type):
    media = _media_type(content_type)
    if media == FORM_TYPE:  # GitHub's "application/x-www-form-urlencoded" hook option: payload=<json>
        values = parse_qs(body.decode("utf-8"), strict_parsing=False).get("payload")
        if not values:
            raise github_pr.PayloadError("the form has no payload field")
        return values[0]
    return body.decode("utf-8")


def parse_payload(body, content_type):
    try:
        payload = json.loads(_json_text(body, content_type))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise github_pr.PayloadError("the body is not valid JSON") from error
    if not isinstance(payload, dict):
        raise github_pr.PayloadError("the payload must be a JSON object")
    return payload


def _delivery_id(headers, body):
    given = (headers.get("X-GitHub-Delivery") or "").strip()
    if DELIVERY_ID.match(given):
        return given
    return "sha256-" + hashlib.sha256(body).hexdigest()[:48]


# --- receiving ---------------------------------------------------------------------------------

def delivery_receive(*, headers, body, content_type):
    """Everything ``POST /api/github/sync`` does after reading the raw body; returns a ``Reply``."""
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "GitHub webhook payloads are at most 25 MB.")
    verdict = signature_verdict(headers, body)
    if verdict == "bad":
        return _error(401, "invalid_signature", "X-Hub-Signature-256 is missing or does not match.")
    if verdict == "unavailable":
        return _error(503, "storage_unavailable", "The data store is unreachable; try again shortly.",
                      {"Retry-After": RETRY_AFTER})
    event = (headers.get("X-GitHub-Event") or "").strip()
    if not event:
        return _error(400, "missing_event", "The X-GitHub-Event header is missing.")
    media = _media_type(content_type)
    if media not in JSON_TYPES + (FORM_TYPE,):
        return _error(415, "unsupported_media_type", "Send the webhook as application/json.")
    try:
        payload = parse_payload(body, content_type)
    except github_pr.PayloadError as error:
        return _error(400, "invalid_payload", str(error))
    delivery_id = _delivery_id(headers, body)
    inbox = dict(delivery_id=delivery_id, event=event, content_type=media, body=body,
                 signature=(headers.get("X-Hub-Signature-256") or "")[:100],
                 hook_target_id=(headers.get("X-GitHub-Hook-Installation-Target-ID") or "")[:32])
    try:
        waiting = WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).exists()
    except DatabaseError:
        waiting = False
    if waiting:  # keep GitHub's order: older deliveries are still in the inbox
        reply = inbox_store(**inbox)
        if _redis_up():  # queued, or refused because the inbox is full: either way, drain it
            _kick_drain()
        return reply
    try:
        return delivery_process(event=event, delivery_id=delivery_id, payload=payload)
    except REDIS_DOWN:
        log.warning("Redis unreachable: delivery %s (%s) goes to the inbox", delivery_id, event)
        return inbox_store(**inbox)


def _redis_up():
    try:
        return bool(kv.get_client().ping())
    except REDIS_DOWN:
        return False


def _inbox_full(body_size):
    """True when the pending inbox already holds ``GITHUB_INBOX_MAX_ROWS`` deliveries, or this
    one would take it past ``GITHUB_INBOX_MAX_BYTES``. Concurrent stores may overshoot by the
    few racing at the cap: it bounds the database's growth, it is not an exact quota."""
    pending = WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).aggregate(
        rows=Count("id"), size=Sum("body_size"))
    return pending["rows"] >= settings.GITHUB_INBOX_MAX_ROWS or \
        (pending["size"] or 0) + body_size > settings.GITHUB_INBOX_MAX_BYTES


def inbox_store(**fields):
    """Keep a verified delivery in the SQL inbox (202). 503 with ``Retry-After`` when the inbox is
    full or SQL is down too, so GitHub's delivery fails visibly and can be redelivered."""
    body_size = len(fields["body"])
    try:
        if _inbox_full(body_size):
            log.error("the webhook inbox is full: delivery %s refused", fields.get("delivery_id"))
            return _error(503, "inbox_full", "Too many deliveries are waiting to be processed; try again later.",
                          {"Retry-After": RETRY_AFTER})
        with transaction.atomic():
            WebhookDelivery.objects.create(body_size=body_size, **fields)
    except IntegrityError:
        return Reply(202, {"status": "queued", "duplicate": True})
    except DatabaseError:
        log.exception("neither Redis nor the SQL database can take delivery %s", fields.get("delivery_id"))
        return _error(503, "storage_unavailable", "The data store is unreachable; try again shortly.",
                      {"Retry-After": RETRY_AFTER})
    return Reply(202, {"status": "queued"})


def inbox_prune(*, now=None):
    """Delete processed rows after a week, failed and rejected ones after
    ``GITHUB_INBOX_RETENTION_DAYS`` (kept that long for an operator to look into). Returns counts."""
    now = now or timezone.now()
    done = WebhookDelivery.objects.exclude(state=WebhookDelivery.PENDING)
    processed, _ = done.filter(state=WebhookDelivery.PROCESSED, processed_at__lt=now - INBOX_KEEP_PROCESSED).delete()
    kept_until = now - timedelta(days=settings.GITHUB_INBOX_RETENTION_DAYS)
    failed, _ = done.filter(state__in=(WebhookDelivery.FAILED, WebhookDelivery.REJECTED)).filter(
        Q(processed_at__lt=kept_until) | Q(processed_at__isnull=True, received_at__lt=kept_until)).delete()
    return {"processed": processed, "failedOrRejected": failed}


def _kick_drain():
    try:
        from github_sync.tasks import inbox_drain_task

        inbox_drain_task.delay()
    except Exception:  # the beat schedule drains it anyway
        log.warning("could not enqueue the inbox drain", exc_info=True)


# --- processing -----------------------------------------------------------------------------------

def delivery_process(*, event, delivery_id, payload):
    """Act on one verified, parsed delivery. Raises redis connection errors (the caller keeps it)."""
    if event == "ping":
        return Reply(200, {"status": "pong", "zen": str(payload.get("zen") or "")})
    if event.startswith("installation") or event == "github_app_authorization":
        return Reply(200, {"status": "acknowledged"})
    try:
        if event == "pull_request":
            return _pull_request(delivery_id, payload)
        if event == "repository":
            return _repository(delivery_id, payload)
        if event == "release":
            return _release(delivery_id, payload)
        if event == "issues":
            return Reply(*roadmap_sync.issues_delivery(delivery_id=delivery_id, payload=payload))
    except github_pr.PayloadError as error:
        return _error(400, "invalid_payload", str(error))
    except ValidationError as error:
        return Reply(400, error_body("invalid_payload", "The pull request has invalid fields.", error.errors))
    return Reply(202, {"status": "ignored", "reason": "unhandled_event"})


def _ignored(reason):
    return Reply(202, {"status": "ignored", "reason": reason})


def _repository_of(payload):
    repository = payload.get("repository")
    if not isinstance(repository, dict) or not isinstance(repository.get("full_name"), str) \
            or not isinstance(repository.get("id"), int):
        raise github_pr.PayloadError("repository.full_name and repository.id are required")
    if not keys.REPO_NAME.match(repository["full_name"]):
        raise github_pr.PayloadError("repository.full_name must be owner/repo")
    return repository


def _connected(repository):
    """``(name, user_ids)``: the name we store the repository under (GitHub's id is the identity,
    the payload's name a fallback) and who connected it; ``(None, [])`` when no one did."""
    for name in (Repo.name_for_github_id(repository["id"]), repository["full_name"]):
        user_ids = Repo.user_ids_for(name) if name else []
        if user_ids:
            return name, user_ids
    return None, []


def rules_for(user_ids, github_repo_id):
    """Each user's ``github_pr.Rules`` for a repository (defaults when they never changed them)."""
    rules = {user_id: github_pr.Rules() for user_id in user_ids}
    try:
        for row in SyncSettings.objects.filter(user_id__in=list(user_ids), github_repo_id=github_repo_id):
            rules[row.user_id] = row.rules()
    except DatabaseError:
        log.warning("sync settings unreadable; default rules for repository %s", github_repo_id)
    return rules


def _parse_rule_lines(text, field_name):
    """``label = Category`` lines -> dict; raises ``ValidationError`` naming every bad line."""
    rules, bad = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, category = line.partition("=")
        category = category.strip().capitalize()
        if not sep or not name.strip() or category not in github_pr.CATEGORIES:
            bad.append(f"{number} ({line.strip()[:40]})")
            continue
        rules[name.strip()] = category
    if bad:
        where = f"line {bad[0]}" if len(bad) == 1 else "lines " + ", ".join(bad)
        raise ValidationError({field_name: f"{where}: write each as name = New, Fixed, Improved or Other"})
    return rules


def sync_settings_get(*, user_id, github_repo_id):
    return SyncSettings.objects.filter(user_id=user_id, github_repo_id=github_repo_id).first() or \
        SyncSettings(user_id=user_id, github_repo_id=github_repo_id)


def sync_settings_update(*, user_id, github_repo_id, skip_label, skip_bots, bot_patterns, label_rules,
                         prefix_rules):
    """Save a user's rules for one repository (the repository's settings page)."""
    rules = {"labels": _parse_rule_lines(label_rules, "label_rules"),
             "prefixes": _parse_rule_lines(prefix_rules, "prefix_rules")}
    row = sync_settings_get(user_id=user_id, github_repo_id=github_repo_id)
    row.skip_label = (skip_label or "").strip()[:100]
    row.skip_bots = bool(skip_bots)
    row.bot_patterns = ",".join(p.strip() for p in (bot_patterns or "").split(",") if p.strip())[:500]
    row.category_rules = rules
    row.save()
    return row


def _summary(results):
    counts = {}
    for outcome in results.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _pull_request(delivery_id, payload):
    action = payload.get("action")
    if action not in PR_ACTIONS:
        return _ignored("unhandled_action")
    pr = payload.get("pull_request")
    if not isinstance(pr, dict):
        raise github_pr.PayloadError("pull_request is missing")
    repository = _repository_of(payload)
    if action == "closed" and not pr.get("merged"):
        return _ignored("not_merged")
    if not pr.get("merged_at"):
        return _ignored("not_merged")
    github_pr.entry_fields(pr)  # 400 on a malformed PR before we look anything up
    name, user_ids = _connected(repository)
    if name is None:
        return _ignored("not_connected")
    if action == "closed":
        may_create = True
    else:
        repos = {user_id: Repo.get(user_id, name) for user_id in user_ids}
        may_create = late_create_allowed(pr=pr, connected_at_by_user={
            user_id: repo.connectedAt if repo else None for user_id, repo in repos.items()})
    outcome = entries_sync_from_pr(repo_name=name, pr=pr, rules_by_user=rules_for(user_ids, repository["id"]),
                                   may_create=may_create, delivery_id=delivery_id)
    if outcome["duplicate"]:
        return Reply(200, {"status": "duplicate"})
    roadmap_shipping.ship_from_pull_request(repo_name=name, user_ids=user_ids, pr=pr)  # "Fixes #N" (docs/roadmap.md)
    return Reply(200, {"status": "processed", "entries": _summary(outcome["results"])})


DELIVERY_MARKER_SECONDS = 7 * 24 * 3600


def _once(delivery_id, func, *watched):
    """Run ``func(pipe)`` (reads, then ``pipe.multi()`` and the writes) under WATCH together with the
    delivery's marker: checked under the same WATCH and set in the same MULTI as the change, so of
    two concurrent deliveries of one id exactly one applies. The other gets None (a duplicate)."""
    marker = keys.github_delivery(delivery_id) if delivery_id else None

    def apply(pipe):
        if marker and pipe.exists(marker):
            return None
        result = func(pipe)
        if marker:
            pipe.set(marker, "1", ex=DELIVERY_MARKER_SECONDS)
        return result

    return kv.transaction(apply, *watched, *([marker] if marker else []))


def _delivery_claim(delivery_id):
    """Mark the delivery seen, atomically with the check (SET NX): True for the first of any
    concurrent deliveries of one id. For actions that are not one Redis transaction (a rename
    runs as a task); ``_delivery_unclaim`` gives the id back when the action cannot start."""
    return bool(kv.get_client().set(keys.github_delivery(delivery_id), "1", nx=True, ex=DELIVERY_MARKER_SECONDS))


def _delivery_unclaim(delivery_id):
    try:
        kv.get_client().delete(keys.github_delivery(delivery_id))
    except REDIS_DOWN:
        log.warning("delivery %s stays marked although its action did not start", delivery_id)


def _repository(delivery_id, payload):
    action = payload.get("action")
    if action not in ("renamed", "transferred", "deleted"):
        return _ignored("unhandled_action")
    repository = _repository_of(payload)
    if action == "deleted":
        name, _ = _connected(repository)
        if name is None:
            return _ignored("not_connected")
        marked = repo_mark_deleted(repo_name=name, delivery_id=delivery_id)
        if marked is None:
            return Reply(200, {"status": "duplicate"})
        return Reply(200, {"status": "processed", "disconnected": marked})
    old = Repo.name_for_github_id(repository["id"])
    if old is None:
        return _ignored("not_connected")
    if not keys.REPO_NAME.match(repository.get("full_name") or ""):
        raise github_pr.PayloadError("the new repository name must be owner/repo")
    from github_sync.tasks import repo_rename_task

    if not _delivery_claim(delivery_id):
        return Reply(200, {"status": "duplicate"})
    try:
        repo_rename_task.delay(repository["id"], repository["full_name"])
    except Exception:
        _delivery_unclaim(delivery_id)
        raise
    return Reply(202, {"status": "queued", "rename": {"from": old, "to": repository["full_name"]}})


# --- releases --------------------------------------------------------------------------------------

RELEASE_STORE_ACTIONS = ("published", "released", "edited")
RELEASE_REMOVE_ACTIONS = ("deleted", "unpublished")


def _release_of(payload):
    release = payload.get("release")
    if not isinstance(release, dict) or not isinstance(release.get("id"), int) \
            or isinstance(release.get("id"), bool):
        raise github_pr.PayloadError("release.id is required")
    return release


def _release_record(release):
    """What we keep of a published release: ``{"id", "tagName", "name", "htmlUrl", "publishedAt"}``."""
    tag = release.get("tag_name")
    if not isinstance(tag, str) or not tag.strip():
        raise github_pr.PayloadError("release.tag_name is required")
    try:
        published_at = iso(parse_iso(release["published_at"]))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise github_pr.PayloadError("release.published_at must be an ISO 8601 timestamp") from error
    name = release.get("name")
    url = release.get("html_url")
    return {"id": release["id"], "tagName": tag.strip()[:200],
            "name": name.strip()[:200] if isinstance(name, str) and name.strip() else None,
            "htmlUrl": url if isinstance(url, str) and url.startswith("https://") else None,
            "publishedAt": published_at}


def _release(delivery_id, payload):
    """``release`` events: published/released/edited store a published, non-prerelease release;
    deleted/unpublished (and a release edited back to a draft or prerelease) remove it."""
    action = payload.get("action")
    if action not in RELEASE_STORE_ACTIONS + RELEASE_REMOVE_ACTIONS:
        return _ignored("unhandled_action")
    repository = _repository_of(payload)
    release = _release_of(payload)
    keep = action in RELEASE_STORE_ACTIONS and not release.get("draft") and not release.get("prerelease")
    record = _release_record(release) if keep else None
    name, _ = _connected(repository)
    if name is None:
        return _ignored("not_connected")
    if record is not None:
        if release_save(repo_name=name, release=record, delivery_id=delivery_id) is None:
            return Reply(200, {"status": "duplicate"})
        return Reply(200, {"status": "processed", "release": {"id": record["id"], "tagName": record["tagName"],
                                                              "stored": True}})
    removed = release_delete(repo_name=name, release_id=release["id"], delivery_id=delivery_id)
    if removed is None:
        return Reply(200, {"status": "duplicate"})
    return Reply(200, {"status": "processed", "release": {"id": release["id"], "stored": False,
                                                          "removed": removed}})


def release_save(*, repo_name, release, delivery_id=None):
    """Store (or update) a published release of ``repo_name`` and retire the cached changelog,
    with the delivery marker, in one transaction. Returns the release, None for a duplicate."""
    index, data, member = keys.meta_repo_releases(repo_name), keys.meta_repo_release_data(repo_name), str(release["id"])

    def store(pipe):
        pipe.multi()
        pipe.zadd(index, {member: parse_iso(release["publishedAt"]).timestamp()})
        pipe.hset(data, member, json.dumps(release, separators=(",", ":")))
        changelog_invalidate(repo_id=repo_name, pipe=pipe)
        return release

    return _once(delivery_id, store, index, data)


def release_delete(*, repo_name, release_id, delivery_id=None):
    """Forget a release of ``repo_name``; True when it was stored, None for a duplicate delivery. The
    changelog version is bumped only when something was removed; the delivery marker is set either
    way, in the same MULTI."""
    index, data, member = keys.meta_repo_releases(repo_name), keys.meta_repo_release_data(repo_name), str(release_id)

    def remove(pipe):
        stored = pipe.zscore(index, member) is not None or pipe.hexists(data, member)
        pipe.multi()
        if stored:
            pipe.zrem(index, member)
            pipe.hdel(data, member)
            changelog_invalidate(repo_id=repo_name, pipe=pipe)
        return stored

    return _once(delivery_id, remove, index, data)


# --- repository deleted -------------------------------------------------------------------------

def repo_mark_deleted(*, repo_name, delivery_id=None):
    """GitHub deleted the repository: mark it disconnected for each user and tell them. Returns
    how many users were told, None for a duplicate delivery."""
    now = iso(utc_now())
    notice = json.dumps({"kind": "repo_deleted", "repo": repo_name, "at": now,
                         "message": f"{repo_name} was deleted on GitHub; it is disconnected. "
                                    "Its entries stay until you remove the repository."})
    users = keys.idx_repo_users(repo_name)

    def mark(pipe):
        user_ids = sorted(pipe.smembers(users))
        pipe.multi()
        for user_id in user_ids:
            pipe.hset(keys.meta_repo_disconnected(user_id), repo_name,
                      json.dumps({"reason": "deleted_on_github", "at": now}))
            pipe.lpush(keys.meta_user_notices(user_id), notice)
            pipe.ltrim(keys.meta_user_notices(user_id), 0, NOTICES_KEPT - 1)
        return len(user_ids)

    return _once(delivery_id, mark, users)


def repo_disconnected(*, user_id):
    """``{repoName: {"reason", "at"}}`` of a user's repositories GitHub no longer has (dashboard)."""
    raw = kv.get_client().hgetall(keys.meta_repo_disconnected(user_id))
    return {name: json.loads(value) for name, value in raw.items()}


def user_notices(*, user_id, limit=NOTICES_KEPT):
    return [json.loads(item) for item in kv.get_client().lrange(keys.meta_user_notices(user_id), 0, limit - 1)]


# --- repository renamed / transferred ------------------------------------------------------------

def _move_group(record_classes, old, new, user_ids):
    """Move the records of ``record_classes`` named by ``old`` to ``new`` in one transaction.

    It WATCHes every key it reads (``of_repo`` WATCHes the records themselves before reading
    them), so a write to one of them between the read and the EXEC (an entry edited while the
    repository is renamed) makes it start over with that write instead of losing it."""
    scopes = [(record_class, user_id) for record_class in record_classes
              for user_id in (user_ids if record_class.repo_scope == "user" else [None])]
    watched = [key for record_class, user_id in scopes for key in record_class.repo_watch_keys(old, user_id)]

    def move(pipe):
        records = [record for record_class, user_id in scopes for record in record_class.of_repo(pipe, old, user_id)]
        pipe.multi()
        for record in records:
            record.move(pipe, new)
        return len(records)

    return kv.transaction(move, *watched)


def repo_rename(*, github_repo_id, new_name):
    """Move every key that carries a repository's old ``owner/repo`` to ``new_name``.

    ``githubRepoId`` is the identity: the old name is what ``idx:github-repo:{id}`` says. It walks
    the registry of record classes: for each user, each class whose keys carry a userId and the
    repository (entries, widget, roadmap items, ...); then each class of keys the repository's
    users share (subscribers, branding, releases, ...); every group in its own transaction. The
    repo records, their mappings and indexes go last, together, so a crash half-way leaves the old
    name resolvable and a redelivery finishes the move.
    """
    if not keys.REPO_NAME.match(new_name or ""):
        raise github_pr.PayloadError("the new repository name must be owner/repo")
    old = Repo.name_for_github_id(github_repo_id)
    if not old or old == new_name:
        return {"renamed": False, "keys": 0}
    user_ids = Repo.user_ids_for(old)
    moved = 0
    for user_id in user_ids:
        for record_class in registry.repo_scoped("user"):
            if record_class is not Repo:
                moved += _move_group([record_class], old, new_name, [user_id])
    for record_class in registry.repo_scoped("repo"):
        moved += _move_group([record_class], old, new_name, user_ids)
    moved += _move_group([Repo], old, new_name, user_ids)
    log.info("repository %s renamed to %s: %d records moved", old, new_name, moved)
    return {"renamed": True, "keys": moved, "from": old}


# --- the inbox ------------------------------------------------------------------------------------

class _HeaderView(dict):
    def get(self, name, default=None):
        return super().get(name.lower(), default)


DRAIN_LOCK_SECONDS = 300


def inbox_drain(*, limit=500):
    """Process pending inbox deliveries in arrival order; stop at the first Redis failure.

    Returns counts. One drainer at a time: the ``lock:github-inbox-drain`` lock, renewed before
    each delivery (``DRAIN_LOCK_SECONDS`` outlasts one); a drainer that lost it stops.
    """
    try:
        lock = locks.acquire(keys.lock("github-inbox-drain"), timeout=DRAIN_LOCK_SECONDS)
    except REDIS_DOWN:
        return {"redis": "unreachable"}
    if lock is None:
        return {"busy": True}
    counts = {"processed": 0, "failed": 0, "rejected": 0, "left": 0}
    try:
        for row in WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).order_by("id")[:limit]:
            if not locks.keep(lock):
                break
            body = bytes(row.body)
            row.attempts += 1
            try:
                if not row.verified:
                    headers = _HeaderView({"x-hub-signature-256": row.signature, "content-type": row.content_type,
                                           "x-github-hook-installation-target-type":
                                               "repository" if row.hook_target_id else "",
                                           "x-github-hook-installation-target-id": row.hook_target_id})
                    if signature_verdict(headers, body) != "ok":
                        _finish(row, WebhookDelivery.REJECTED, "signature does not match")
                        counts["rejected"] += 1
                        continue
                reply = delivery_process(event=row.event, delivery_id=row.delivery_id,
                                         payload=parse_payload(body, row.content_type))
            except REDIS_DOWN as error:
                row.last_error = f"redis: {error}"
                row.save(update_fields=["attempts", "last_error"])
                break
            except github_pr.PayloadError as error:
                _finish(row, WebhookDelivery.FAILED, str(error))
                counts["failed"] += 1
                continue
            if reply.status == 400:
                _finish(row, WebhookDelivery.FAILED, reply.body.get("detail", ""))
                counts["failed"] += 1
            else:
                _finish(row, WebhookDelivery.PROCESSED, "")
                counts["processed"] += 1
        counts["left"] = WebhookDelivery.objects.filter(state=WebhookDelivery.PENDING).count()
    finally:
        locks.release(lock)
    return counts


def _finish(row, state, error):
    row.state, row.last_error, row.processed_at = state, error, timezone.now()
    row.save(update_fields=["state", "last_error", "processed_at", "attempts"])


# --- backfill -------------------------------------------------------------------------------------

class BackfillError(Exception):
    """A backfill stopped; ``code`` says why (``backfill_status`` turns it into what to do)."""

    def __init__(self, message, code="backfill_failed"):
        super().__init__(message)
        self.code = code


MAX_RATE_LIMIT_WAIT = 3600
BACKFILL_LOCK_SECONDS = 300  # renewed after every page and through every rate-limit wait
LINK = re.compile(r'<([^>]+)>;\s*rel="([^"]+)"')


def _links(response):
    return {rel: url for url, rel in LINK.findall(response.headers.get("Link") or "")}


def _wait_seconds(response):
    retry_after = response.headers.get("Retry-After")
    if retry_after and retry_after.isdigit():
        return int(retry_after)
    reset = response.headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit():
        return max(int(reset) - int(time.time()), 0) + 1
    return 60


def _github_get(url, token, params, sleep, attempts=6):
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
               "User-Agent": "Shiplog"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for _ in range(attempts):
        try:
            response = requests.get(url, headers=headers, params=params, timeout=settings.HTTP_TIMEOUT)
        except requests.RequestException as error:
            raise BackfillError(f"GitHub is unreachable: {error.__class__.__name__}",
                                "github_unavailable") from error
        limited = response.status_code in (403, 429) and (
            response.headers.get("X-RateLimit-Remaining") == "0" or response.headers.get("Retry-After"))
        if limited:
            sleep(min(_wait_seconds(response), MAX_RATE_LIMIT_WAIT))
            continue
        if response.status_code == 404:
            raise BackfillError("GitHub says the repository does not exist or the token cannot see it.",
                                "repo_not_found")
        if response.status_code in (401, 403):
            raise BackfillError("GitHub refused the token; reconnect GitHub.", "github_reauth_required")
        if response.status_code >= 400:
            raise BackfillError(f"GitHub answered {response.status_code}.")
        return response
    raise BackfillError("GitHub kept rate-limiting the backfill; try again later.", "github_rate_limited")


def _backfill_token(user_ids):
    for user_id in user_ids:
        try:
            token = GitHubToken(user_id).get()
        except crypto.InvalidToken:
            continue
        if token:
            return token
    return None


def entries_backfill(*, repo_name, since=None, on_progress=None, sleep=time.sleep, per_page=100):
    """Drafts for a connected repository's already-merged PRs (``since``: a date), idempotently.

    Pages through ``GET /repos/{owner}/{repo}/pulls?state=closed`` newest-updated first, stopping
    at PRs last updated before ``since``; sleeps until the rate limit resets when it runs out.
    Existing entries are left alone. Progress goes to ``meta:backfill:{repoName}`` and
    ``on_progress(dict)``. Returns the final progress dict.
    """
    user_ids = Repo.user_ids_for(repo_name)
    if not user_ids:
        raise ApiError(404, "repo_not_connected", f"{repo_name} is not connected.")
    token = _backfill_token(user_ids)
    if token is None:
        error = ApiError(409, "github_not_connected", "No one who connected this repository has a GitHub token.")
        backfill_failed(repo_name=repo_name, code=error.code, detail=error.detail)
        raise error
    repo = next((r for r in (Repo.get(u, repo_name) for u in user_ids) if r), None)
    rules = rules_for(user_ids, repo.githubRepoId if repo else 0)
    client = kv.get_client()
    lock = locks.acquire(keys.lock("backfill", repo_name), timeout=BACKFILL_LOCK_SECONDS)
    if lock is None:
        raise ApiError(409, "backfill_running", f"A backfill of {repo_name} is already running.")

    def hold(seconds=0):
        """Keep the lock: renew it, through a sleep of ``seconds`` (up to an hour) if any."""
        try:
            if seconds:
                locks.sleep_renewing(lock, seconds, sleep=sleep)
            else:
                locks.renew(lock)
        except locks.LockNotOwnedError as error:
            raise BackfillError("Another backfill of this repository took over.") from error

    progress = {"state": "running", "repo": repo_name, "page": 0, "pages": 0, "seen": 0, "merged": 0,
                "created": 0, "since": since.isoformat() if since else "", "startedAt": iso(utc_now()),
                "error": "", "errorCode": "", "finishedAt": ""}

    def report():
        client.hset(keys.meta_backfill(repo_name), mapping={k: str(v) for k, v in progress.items()})
        if on_progress:
            on_progress(dict(progress))

    url = f"{settings.GITHUB_API_URL}/repos/{repo_name}/pulls"
    params = {"state": "closed", "sort": "updated", "direction": "desc", "per_page": per_page}
    try:
        report()
        while url:
            response = _github_get(url, token, params, hold)
            params = None  # the next link carries them
            links = _links(response)
            progress["page"] += 1
            if "last" in links:
                match = re.search(r"[?&]page=(\d+)", links["last"])
                progress["pages"] = int(match.group(1)) if match else progress["pages"]
            progress["pages"] = max(progress["pages"], progress["page"])
            items = response.json()
            if not isinstance(items, list):
                raise BackfillError("GitHub answered something other than a list of pull requests.")
            done = False
            for pr in items:
                progress["seen"] += 1
                if since and pr.get("updated_at") and parse_iso(pr["updated_at"]).date() < since:
                    done = True
                    break
                if not pr.get("merged_at") or (since and parse_iso(pr["merged_at"]).date() < since):
                    continue
                progress["merged"] += 1
                try:
                    outcome = entries_sync_from_pr(repo_name=repo_name, pr=pr, rules_by_user=rules,
                                                   may_create=True, only_create=True)
                except (github_pr.PayloadError, ValidationError) as error:
                    log.warning("backfill of %s skips PR %s: %s", repo_name, pr.get("number"), error)
                    continue
                progress["created"] += sum(1 for r in outcome["results"].values() if r == "created")
            report()
            hold()
            if done:
                break
            url = links.get("next")
            if url and response.headers.get("X-RateLimit-Remaining") == "0":
                hold(min(_wait_seconds(response), MAX_RATE_LIMIT_WAIT))
        progress["state"] = "done"
    except BackfillError as error:
        progress["state"], progress["error"], progress["errorCode"] = "failed", str(error), error.code
        raise
    finally:
        progress["finishedAt"] = iso(utc_now())
        report()
        locks.release(lock)
    return progress


def backfill_progress(*, repo_name):
    return kv.get_client().hgetall(keys.meta_backfill(repo_name))


def backfill_check(*, repo_name):
    """Raise the error that would stop a backfill of ``repo_name`` before it starts: nobody who
    connected it has a GitHub token. The page checks this before queueing the task."""
    if _backfill_token(Repo.user_ids_for(repo_name)) is None:
        raise ApiError(409, "github_not_connected", "No one who connected this repository has a GitHub token.")


def backfill_failed(*, repo_name, code, detail):
    """Record a backfill that could not start (no token, queue down), so its progress says why."""
    now = iso(utc_now())
    with kv.atomic() as pipe:
        pipe.delete(keys.meta_backfill(repo_name))
        pipe.hset(keys.meta_backfill(repo_name), mapping={
            "state": "failed", "repo": repo_name, "error": str(detail), "errorCode": code,
            "startedAt": now, "finishedAt": now})


def backfill_queued(*, repo_name):
    """Mark a backfill as queued (the worker turns it "running"), so the page can follow it at once."""
    with kv.atomic() as pipe:
        pipe.delete(keys.meta_backfill(repo_name))
        pipe.hset(keys.meta_backfill(repo_name), mapping={"state": "queued", "repo": repo_name,
                                                         "startedAt": iso(utc_now())})
