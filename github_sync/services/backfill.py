""""Import past PRs": drafts for a connected repository's already-merged pull requests.

The pages come through the one GitHub client (``repos.github``: the shared session, its timeouts
and retries, ``response.links``); what stays here is the wait a Celery task can afford and a
request cannot: when the rate limit is spent, sleep until it resets (up to an hour), renewing
the backfill's lock through the wait (``changelog_site.kv.locks``). Progress goes to
``meta:backfill:{repoName}``; ``github_sync.backfill_status`` says it to people.
"""

import logging
import re
import time

from changelog_site.domain import Conflict, NotFound
from changelog_site.kv import client as kv
from changelog_site.kv import keys, locks
from changelog_site.kv.records import ValidationError, iso, parse_iso, utc_now
from entries import github_pr
from entries.services import entries_sync_from_pr
from github_sync.services.fixed_issues import fixed_issues_enqueue, pr_loop_for, pr_loop_record
from github_sync.services.rules import rules_for
from repos import github
from repos.models import GitHubToken, Repo

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_WAIT = 3600
RATE_LIMIT_ATTEMPTS = 6
BACKFILL_LOCK_SECONDS = 300  # renewed after every page and through every rate-limit wait
PAGE_NUMBER = re.compile(r"[?&]page=(\d+)")
NO_TOKEN = "No one who connected this repository has a GitHub token."


class BackfillError(Exception):
    """A backfill stopped; ``code`` says why (``backfill_status`` turns it into what to do)."""

    def __init__(self, message, code="backfill_failed"):
        super().__init__(message)
        self.code = code


def _stopped_by(error):
    """The ``BackfillError`` for a ``github.GitHubError`` that is not a spent rate limit."""
    if error.kind == "not_found":
        return BackfillError("GitHub says the repository does not exist or the token cannot see it.",
                             "repo_not_found")
    if error.kind in ("unauthorized", "forbidden"):
        return BackfillError("GitHub refused the token; reconnect GitHub.", "github_reauth_required")
    if error.status is None:
        return BackfillError(error.message, "github_unavailable")
    return BackfillError(f"GitHub answered {error.status}.")


def _page(url, token, params, hold):
    """One page of pull requests; a spent rate limit is waited out (``hold``) and asked again."""
    for _ in range(RATE_LIMIT_ATTEMPTS):
        try:
            return github.request("GET", url, token, params=params)
        except github.GitHubError as error:
            if error.kind != "rate_limited":
                raise _stopped_by(error) from error
            hold(min(error.retry_after or 60, MAX_RATE_LIMIT_WAIT))
    raise BackfillError("GitHub kept rate-limiting the backfill; try again later.", "github_rate_limited")


def _wait_seconds(response):
    """How long until a rate limit the last page spent (``X-RateLimit-Remaining: 0``) resets."""
    reset = response.headers.get("X-RateLimit-Reset")
    if reset and reset.isdigit():
        return max(int(reset) - int(time.time()), 0) + 1
    return 60



def entries_backfill(*, repo_name, since=None, on_progress=None, sleep=time.sleep, per_page=100):
    """Drafts for a connected repository's already-merged PRs (``since``: a date), idempotently.

    Pages through ``GET /repos/{owner}/{repo}/pulls?state=closed`` newest-updated first, stopping
    at PRs last updated before ``since``; sleeps until the rate limit resets when it runs out.
    Existing entries are left alone. Progress goes to ``meta:backfill:{repoName}`` and
    ``on_progress(dict)``. Returns the final progress dict. ``NotFound``/``Conflict`` before it
    starts; ``BackfillError`` when GitHub stops it (the progress says so).
    """
    user_ids = Repo.user_ids_for(repo_name)
    if not user_ids:
        raise NotFound(f"{repo_name} is not connected.", code="repo_not_connected")
    token = GitHubToken.first_usable(user_ids)
    if token is None:
        backfill_failed(repo_name=repo_name, code="github_not_connected", detail=NO_TOKEN)
        raise Conflict(NO_TOKEN, code="github_not_connected")
    repo = next((r for r in (Repo.get(u, repo_name) for u in user_ids) if r), None)
    rules = rules_for(user_ids, repo.githubRepoId if repo else 0)
    lock = locks.acquire(keys.lock("backfill", repo_name), timeout=BACKFILL_LOCK_SECONDS)
    if lock is None:
        raise Conflict(f"A backfill of {repo_name} is already running.", code="backfill_running")

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
        kv.get_client().hset(keys.meta_backfill(repo_name), mapping={k: str(v) for k, v in progress.items()})
        if on_progress:
            on_progress(dict(progress))

    url = f"/repos/{repo_name}/pulls"
    params = {"state": "closed", "sort": "updated", "direction": "desc", "per_page": per_page}
    try:
        report()
        while url:
            response = _page(url, token, params, hold)
            params = None  # the next link carries them
            progress["page"] += 1
            last = PAGE_NUMBER.search(response.links.get("last", {}).get("url", ""))
            progress["pages"] = max(int(last.group(1)) if last else progress["pages"], progress["page"])
            done = _import_page(response, repo_name, rules, since, progress)
            report()
            hold()
            if done:
                break
            url = response.links.get("next", {}).get("url")
            if url and not github.is_api_url(url):
                raise BackfillError("GitHub's next page is not on its API; the import stopped.")
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


def _import_page(response, repo_name, rules, since, progress):
    """Drafts for the merged PRs of one page; True once a PR older than ``since`` was reached."""
    items = response.json()
    if not isinstance(items, list):
        raise BackfillError("GitHub answered something other than a list of pull requests.")
    for pr in items:
        progress["seen"] += 1
        if since and pr.get("updated_at") and parse_iso(pr["updated_at"]).date() < since:
            return True
        if not pr.get("merged_at") or (since and parse_iso(pr["merged_at"]).date() < since):
            continue
        progress["merged"] += 1
        try:
            outcome = entries_sync_from_pr(repo_name=repo_name, pr=pr, rules_by_user=rules, may_create=True,
                                           only_create=True,
                                           pr_loop=pr_loop_for(repo_name=repo_name, pr=pr, rules_by_user=rules))
            fixed_issues_enqueue(entry_ids=outcome["fetch"])  # fixed issues and credits (docs/github-loop.md)
            pr_loop_record(repo_name=repo_name, pr=pr, rules_by_user={
                user_id: rules[user_id] for user_id, result in outcome["results"].items() if result == "exists"})
        except (github_pr.PayloadError, ValidationError) as error:
            log.warning("backfill of %s skips PR %s: %s", repo_name, pr.get("number"), error)
            continue
        progress["created"] += sum(1 for result in outcome["results"].values() if result == "created")
    return False


def backfill_progress(*, repo_name):
    return kv.get_client().hgetall(keys.meta_backfill(repo_name))


def backfill_check(*, repo_name):
    """Raise the error that would stop a backfill of ``repo_name`` before it starts: nobody who
    connected it has a GitHub token (``Conflict``). The page checks this before queueing the task."""
    if GitHubToken.first_usable(Repo.user_ids_for(repo_name)) is None:
        raise Conflict(NO_TOKEN, code="github_not_connected")


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
