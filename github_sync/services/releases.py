"""``release`` deliveries: the repository's published releases, which the public changelog shows
between its entries (``meta:releases:{repoName}`` and ``meta:release-data:{repoName}``)."""

import json

from changelog_site.domain import Outcome
from changelog_site.kv import keys
from changelog_site.kv.records import iso, parse_iso
from engagement.services import changelog_invalidate
from entries import github_pr
from github_sync.services.deliveries import once
from github_sync.services.payloads import connected, repository_of

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


def release_delivery(*, delivery_id, payload):
    """published/released/edited store a published, non-prerelease release; deleted/unpublished
    (and a release edited back to a draft or prerelease) remove it."""
    action = payload.get("action")
    if action not in RELEASE_STORE_ACTIONS + RELEASE_REMOVE_ACTIONS:
        return Outcome("ignored", {"reason": "unhandled_action"})
    repository = repository_of(payload)
    release = _release_of(payload)
    keep = action in RELEASE_STORE_ACTIONS and not release.get("draft") and not release.get("prerelease")
    record = _release_record(release) if keep else None
    name, _ = connected(repository)
    if name is None:
        return Outcome("ignored", {"reason": "not_connected"})
    if record is not None:
        if release_save(repo_name=name, release=record, delivery_id=delivery_id) is None:
            return Outcome("duplicate")
        return Outcome("processed", {"release": {"id": record["id"], "tagName": record["tagName"], "stored": True}})
    removed = release_delete(repo_name=name, release_id=release["id"], delivery_id=delivery_id)
    if removed is None:
        return Outcome("duplicate")
    return Outcome("processed", {"release": {"id": release["id"], "stored": False, "removed": removed}})


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

    return once(delivery_id, store, index, data)


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

    return once(delivery_id, remove, index, data)
