"""Optional write-back: an item's vote count shown on its GitHub issue, through the owner's token.

Off by default (the owner's roadmap setting ``writeBack``). ``label`` keeps one label
``roadmap votes: N`` on the issue (the previous count's label is taken off; GitHub creates a label
the first time it is used, and the roadmap never shows these labels). ``comment`` keeps one comment
up to date: created once, then edited. What the issue shows is remembered in the item's meta hash
(``writeBackLabel``, ``writeBackCommentId``, ``writeBackCount``).

A counted vote schedules it: at most one pending task per item (``lock:roadmap-writeback:{id}``,
SET NX with the delay as its TTL), and the task writes the count as it is when it runs, so a burst
of votes costs one or two API calls.
"""

import logging
from urllib.parse import quote

from django.template.loader import render_to_string

from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from repos import github
from repos.models import GitHubToken, Repo
from roadmap.models import RoadmapItem, RoadmapUpvotes
from roadmap.services import roadmap_url, settings_get
from roadmap.status import WRITE_BACK_LABEL_PREFIX

log = logging.getLogger(__name__)

WRITE_BACK_DELAY = 30  # seconds between a vote and the GitHub call that shows it


def _pending_key(roadmap_id):
    return keys.lock("roadmap-writeback", roadmap_id)


def _mode(item):
    repo = Repo.get(item.userId, item.repoId)
    return settings_get(user_id=item.userId, github_repo_id=repo.githubRepoId).write_back if repo else "off"


def writeback_schedule(*, item):
    """Queue the write-back of ``item``'s count unless it is off or one is already pending."""
    if _mode(item) == "off":
        return False
    if not kv.get_client().set(_pending_key(item.id), "1", nx=True, ex=WRITE_BACK_DELAY * 4):
        return False
    from roadmap.tasks import writeback_task

    try:
        writeback_task.apply_async((item.id,), countdown=WRITE_BACK_DELAY)
    except Exception:  # noqa: BLE001  a vote never fails over the write-back; the next vote retries
        log.exception("could not queue the roadmap write-back of %s", item.id)
        kv.get_client().delete(_pending_key(item.id))
        return False
    return True


def _label(item, meta, count, token):
    name = f"{WRITE_BACK_LABEL_PREFIX}{count}"
    old = meta.get("writeBackLabel")
    if old == name:
        return {}
    base = f"/repos/{item.repoId}/issues/{item.issueId}/labels"
    github.request("POST", base, token, json={"labels": [name]})
    if old:
        try:
            github.request("DELETE", f"{base}/{quote(old, safe='')}", token)
        except github.GitHubError as error:
            if error.kind != "not_found":
                raise
    return {"writeBackLabel": name, "writeBackCount": str(count)}


def _comment(item, meta, count, token):
    comment_id = meta.get("writeBackCommentId")
    if comment_id and meta.get("writeBackCount") == str(count):
        return {}
    body = render_to_string("roadmap/writeback_comment.md",
                            {"count": count, "roadmap_url": roadmap_url(item.repoId, absolute=True)})
    if comment_id:
        try:
            github.request("PATCH", f"/repos/{item.repoId}/issues/comments/{comment_id}", token, json={"body": body})
            return {"writeBackCount": str(count)}
        except github.GitHubError as error:
            if error.kind != "not_found":
                raise
    created = github.request("POST", f"/repos/{item.repoId}/issues/{item.issueId}/comments", token, json={"body": body})
    return {"writeBackCommentId": str(created.json()["id"]), "writeBackCount": str(count)}


def writeback_apply(*, roadmap_id):
    """Show the item's current count on its issue. Returns what happened (``label``, ``comment``,
    ``unchanged``, ``off``, ``gone``, ``no_token``); raises ``GitHubError`` for the task to judge."""
    kv.get_client().delete(_pending_key(roadmap_id))  # a vote from now on schedules a new run
    item = RoadmapItem.get_by_id(roadmap_id)
    if item is None:
        return "gone"
    mode = _mode(item)
    if mode == "off":
        return "off"
    try:
        token = GitHubToken(item.userId).get()
    except crypto.InvalidToken:
        token = None
    if not token:
        return "no_token"
    meta_key = keys.meta_roadmap_item(item.id)
    meta = kv.get_client().hgetall(meta_key)
    count = RoadmapUpvotes(item.id).count()
    written = (_label if mode == "label" else _comment)(item, meta, count, token)
    if not written:
        return "unchanged"
    kv.get_client().hset(meta_key, mapping=written)
    return mode
