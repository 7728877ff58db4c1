"""The roadmap's initial import (and any later full sync) through GitHub's REST API.

``roadmap_import`` pages through the repository's open issues (``GET /repos/{repo}/issues``,
following ``Link: rel="next"``) and applies each with ``roadmap.sync.issue_apply`` for every user
who connected the repository: the same idempotent, order-safe write the webhooks use, so an
import running beside live deliveries never moves an item back. Then it looks up, one by one,
the items it did not meet that it still believes open: closed ones move (completed, or off the
roadmap when not planned), deleted or transferred ones go.

Rate-limit aware: a 403/429 with a spent limit, or a page saying ``X-RateLimit-Remaining: 0``,
makes it sleep until the reset (at most an hour; GitHub unavailable: the wait it suggests, a few
times), renewing its lock
(``lock:roadmap-sync:{githubRepoId}``, one import per repository at a time). Progress is written
to ``meta:roadmap-sync:{githubRepoId}`` after every page (the dashboard polls it).
"""

import logging
import re
import time

from changelog_site.domain import Conflict, NotFound
from changelog_site.kv import client as kv
from changelog_site.kv import keys, locks
from changelog_site.kv.records import iso, utc_now
from repos import github
from repos.models import GitHubToken, Repo
from roadmap.models import RoadmapItem
from roadmap.services import item_meta, settings_for
from roadmap.status import is_pull_request
from roadmap.sync import issue_apply, issue_remove

log = logging.getLogger(__name__)

LOCK_SECONDS = 300  # renewed after every page and through every rate-limit wait
MAX_RATE_LIMIT_WAIT = 3600
RATE_LIMIT_ATTEMPTS = 5
PAGE = re.compile(r"[?&]page=(\d+)")


class SyncError(Exception):
    """The import stopped: GitHub refused, or kept rate-limiting it."""


def sync_progress(*, github_repo_id):
    return kv.get_client().hgetall(keys.meta_roadmap_sync(github_repo_id))



class _Run:
    """One import: the lock, the progress hash and GitHub calls that wait out the rate limit."""

    def __init__(self, repo_name, github_repo_id, token, lock, sleep, on_progress):
        self.repo_name, self.github_repo_id, self.token = repo_name, github_repo_id, token
        self.lock, self.sleep, self.on_progress = lock, sleep, on_progress
        self.progress = {"state": "running", "repo": repo_name, "page": 0, "pages": 0, "seen": 0, "created": 0,
                         "updated": 0, "removed": 0, "checked": 0, "error": "", "startedAt": iso(utc_now()),
                         "finishedAt": ""}

    def report(self):
        kv.get_client().hset(keys.meta_roadmap_sync(self.github_repo_id),
                             mapping={name: str(value) for name, value in self.progress.items()})
        if self.on_progress:
            self.on_progress(dict(self.progress))

    def hold(self, seconds=0):
        try:
            if seconds:
                locks.sleep_renewing(self.lock, seconds, sleep=self.sleep)
            else:
                locks.renew(self.lock)
        except locks.LockNotOwnedError as error:
            raise SyncError("Another sync of this repository took over.") from error

    def get(self, path_or_url, **kwargs):
        for _ in range(RATE_LIMIT_ATTEMPTS):
            try:
                response = github.request("GET", path_or_url, self.token, **kwargs)
            except github.GitHubError as error:
                if error.kind not in ("rate_limited", "unavailable"):
                    raise
                self.hold(min(error.retry_after or 60, MAX_RATE_LIMIT_WAIT))
                continue
            if response.headers.get("X-RateLimit-Remaining") == "0":
                reset = response.headers.get("X-RateLimit-Reset", "")
                wait = int(reset) - int(time.time()) + 1 if reset.isdigit() else 60
                self.hold(min(max(wait, 1), MAX_RATE_LIMIT_WAIT))
            return response
        raise SyncError("GitHub kept rate-limiting the sync; try again later.")

    def count(self, outcomes):
        for outcome in (outcomes or {}).values():
            if outcome in ("created", "updated", "removed"):
                self.progress[outcome] += 1


def _label_param(user_ids, github_repo_id):
    """GitHub's ``labels`` filter when every owner restricts the roadmap to the same label."""
    filters = {rules.label_filter for rules in settings_for(user_ids, github_repo_id).values()}
    return filters.pop() if len(filters) == 1 and "" not in filters else None


def _open_issues(run, user_ids):
    """Apply every open issue; returns the issue numbers met."""
    params = {"state": "open", "per_page": 100, "sort": "created", "direction": "asc"}
    label = _label_param(user_ids, run.github_repo_id)
    if label:
        params["labels"] = label
    seen, url = set(), f"/repos/{run.repo_name}/issues"
    while url:
        response = run.get(url, params=params)
        params = None  # the next link carries them
        issues = response.json()
        if not isinstance(issues, list):
            raise SyncError("GitHub answered something other than a list of issues.")
        run.progress["page"] += 1
        last = PAGE.search(response.links.get("last", {}).get("url", ""))
        run.progress["pages"] = max(int(last.group(1)) if last else 0, run.progress["page"])
        for issue in issues:
            if not isinstance(issue, dict) or is_pull_request(issue):
                continue
            run.progress["seen"] += 1
            seen.add(issue.get("number"))
            run.count(issue_apply(repo_name=run.repo_name, github_repo_id=run.github_repo_id,
                                  user_ids=user_ids, issue=issue))
        run.report()
        run.hold()
        url = response.links.get("next", {}).get("url")
    return seen


def _believed_open(user_ids, repo_name, seen):
    """Issue numbers of items not met among the open issues whose last known state was open."""
    items = [item for user_id in user_ids for item in RoadmapItem.for_repo(user_id, repo_name)
             if item.issueId not in seen]
    metas = item_meta([item.id for item in items])
    return sorted({item.issueId for item in items
                   if metas[item.id].get("derived") != "completed" and metas[item.id].get("off") != "not_planned"})


def _recheck(run, user_ids, number):
    try:
        issue = run.get(f"/repos/{run.repo_name}/issues/{number}").json()
    except github.GitHubError as error:
        if error.kind != "not_found" and error.status != 410:
            raise
        issue = None
    run.progress["checked"] += 1
    repository_url = str(issue.get("repository_url") or "") if isinstance(issue, dict) else ""
    moved = isinstance(issue, dict) and (issue.get("number") != number or bool(
        repository_url and not repository_url.lower().endswith(f"/repos/{run.repo_name.lower()}")))
    if not isinstance(issue, dict) or moved:
        run.count(issue_remove(repo_name=run.repo_name, github_repo_id=run.github_repo_id, user_ids=user_ids,
                               issue_number=number, stamp=iso(utc_now())))
    else:
        run.count(issue_apply(repo_name=run.repo_name, github_repo_id=run.github_repo_id, user_ids=user_ids,
                              issue=issue))


def roadmap_import(*, repo_name, sleep=time.sleep, on_progress=None):
    """Import a connected repository's issues into every connecting user's roadmap. Returns the final
    progress dict; raises ``NotFound`` (not connected) or ``Conflict`` (no token, already running) before
    starting and ``SyncError``/``GitHubError`` when GitHub stops it (progress says so)."""
    user_ids = Repo.user_ids_for(repo_name)
    repo = next((r for r in (Repo.get(u, repo_name) for u in user_ids) if r), None)
    if repo is None:
        raise NotFound(f"{repo_name} is not connected.", code="repo_not_connected")
    token = GitHubToken.first_usable(user_ids)
    if token is None:
        raise Conflict("No one who connected this repository has a GitHub token.", code="github_not_connected")
    lock = locks.acquire(keys.lock("roadmap-sync", repo.githubRepoId), timeout=LOCK_SECONDS)
    if lock is None:
        raise Conflict(f"A roadmap sync of {repo_name} is already running.", code="sync_running")
    run = _Run(repo_name, repo.githubRepoId, token, lock, sleep, on_progress)
    try:
        run.report()
        seen = _open_issues(run, user_ids)
        for number in _believed_open(user_ids, repo_name, seen):
            _recheck(run, user_ids, number)
            run.hold()
        run.progress["state"] = "done"
    except (SyncError, github.GitHubError) as error:
        run.progress["state"], run.progress["error"] = "failed", str(error)
        raise
    finally:
        run.progress["finishedAt"] = iso(utc_now())
        run.report()
        locks.release(lock)
    return run.progress
