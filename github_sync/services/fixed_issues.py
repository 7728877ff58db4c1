"""The issues a merged pull request fixes, and who to thank for it, kept beside each connected user's
entry (``entries.github_loop``; docs/github-loop.md).

``pr_loop_record`` is the hook of the PR ingest and of the backfill: after the drafts are written it
reads the closing keywords (``roadmap.closing``) and the credits (``github_sync.credits``) and
records them for every user's entry. A draft follows its PR (an edited body changes them); a
published entry is never changed by GitHub, except to get them the first time.

Issue titles are fetched once, later, by the ``github_sync.fixed_issues_fetch`` task
(``fixed_issues_fetch``): ``GET /repos/{owner}/{repo}/issues/{number}`` with the entry owner's token,
for the numbers still ``pending``; a missing (404/410) or forbidden issue is kept as a plain number,
and a private repository's titles are never fetched (they would reach a public page).
"""

import logging

from changelog_site import crypto
from entries import github_loop
from entries.models import Entry
from github_sync.credits import pr_credits
from github_sync.services.queue import task_enqueue
from repos import github
from repos.models import GitHubToken, Repo
from roadmap.closing import closed_issue_numbers

log = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)


def user_token(user_id):
    """The user's GitHub token, or None (none saved, or not decryptable with the current keys)."""
    try:
        return GitHubToken(user_id).get()
    except crypto.InvalidToken:
        return None


def pr_loop_for(*, repo_name, pr, rules_by_user):
    """``{userId: (issue numbers, credits)}``: what ``pr`` fixes in ``repo_name`` and who to thank,
    each user's bot patterns never credited; ``entries_sync_from_pr`` records it with the drafts."""
    numbers = closed_issue_numbers(pr.get("title") or "", pr.get("body") or "", repo_name=repo_name)
    return {user_id: (numbers, pr_credits(pr, tuple(rules.bot_patterns))) for user_id, rules in rules_by_user.items()}


def pr_loop_record(*, repo_name, pr, rules_by_user):
    """Record what ``pr`` fixes and who to thank for users' entries that have none recorded yet (the
    backfill meeting entries made before; ``entries_sync_from_pr`` does it for the drafts it writes),
    and queue the fetch of their titles. Returns the entry ids written."""
    written = []
    for user_id, (numbers, credits) in pr_loop_for(repo_name=repo_name, pr=pr, rules_by_user=rules_by_user).items():
        entry = Entry.get(user_id, repo_name, pr["number"])
        if entry is None or github_loop.loop_recorded(entry.id):
            continue
        if any(fix["state"] == "pending" for fix in github_loop.loop_write(entry=entry, numbers=numbers,
                                                                         credits=credits)):
            fixed_issues_enqueue(entry_ids=[entry.id])
        written.append(entry.id)
    return written


def fixed_issues_enqueue(*, entry_ids):
    """Queue the fetch of the entries' pending issue titles. A private repository's stay numbers
    (marked ``private`` now); without a token they wait for a later event. Never raises for a
    queue that is down."""
    for entry in Entry.get_many_by_ids(list(entry_ids)):
        repo = Repo.get(entry.userId, entry.repoId)
        if repo is not None and repo.isPrivate:
            github_loop.fix_titles_write(entry=entry, state_without_title="private",
                                         titles={fix["number"]: None for fix in github_loop.fixes_get(entry.id)})
            continue
        if not user_token(entry.userId):
            continue
        try:
            task_enqueue("fixed_issues_fetch_task", entry.id)
        except Exception:  # noqa: BLE001  a broker that is down must not fail the delivery
            log.exception("could not queue the issue titles of entry %s", entry.id)


def fixed_issues_fetch(*, entry_id):
    """Fetch the titles of the entry's ``pending`` issues, once each, and store them. Returns
    ``{number: title or None}``; raises ``github.GitHubError`` for a spent rate limit or an
    unavailable GitHub, after storing what it got (the task retries the rest)."""
    entry = Entry.get_by_id(entry_id)
    if entry is None:
        return {}
    pending = [fix["number"] for fix in github_loop.fixes_get(entry.id) if fix.get("state") == "pending"]
    token = user_token(entry.userId) if pending else None
    titles = {}
    try:
        for number in pending if token else []:
            titles[number] = _issue_title(entry.repoId, number, token)
    except github.GitHubError as error:
        if error.kind == "unauthorized":
            log.warning("GitHub refused the token of %s; issue titles of %s stay pending", entry.userId, entry.id)
            return titles
        raise
    finally:
        if titles:
            github_loop.fix_titles_write(entry=entry, titles=titles)
    return titles


def _issue_title(repo_name, number, token):
    """The issue's title, or None when GitHub says it is gone or not ours to see."""
    try:
        data = github.request("GET", f"/repos/{repo_name}/issues/{number}", token).json()
    except github.GitHubError as error:
        if error.kind in ("not_found", "forbidden") or error.status in GONE_STATUSES:
            return None
        raise
    title = data.get("title") if isinstance(data, dict) else None
    return title.strip() if isinstance(title, str) and title.strip() else None
