"""What the Repositories page and ``…/import/progress/`` say about an "Import past PRs": the state,
its numbers, a sentence for people and, when it failed, what to do about it."""

from datetime import timedelta

from django.urls import reverse

from changelog_site.kv.records import parse_iso, utc_now
from github_sync.services.backfill import backfill_progress

NUMBERS = ("page", "pages", "seen", "merged", "created")
# A queued import no worker picked up after this long: the page says the worker may not be running.
QUEUED_STALE = timedelta(minutes=2)
SETTINGS_ACTIONS = {
    "github_not_connected": "Connect GitHub in Settings",
    "github_reauth_required": "Replace the GitHub token in Settings",
    "repo_not_found": "Check the token's access in Settings",
}
GENERIC_ADVICE = "Try again; if it keeps failing, check Settings."
ADVICE = {  # for failures Settings cannot fix (those get a link instead: SETTINGS_ACTIONS)
    "github_unavailable": "GitHub could not be reached; try again in a few minutes.",
    "github_rate_limited": "GitHub's rate limit ran out; try again in an hour.",
    "queue_unavailable": "The background queue could not be reached; try again shortly.",
}


def _queued_too_long(progress):
    try:
        return utc_now() - parse_iso(progress.get("startedAt")) > QUEUED_STALE
    except (TypeError, ValueError, AttributeError):
        return False


def _message(state, numbers, progress):
    if state == "queued":
        waiting = " Still waiting: is the background worker (Celery) running?" if _queued_too_long(progress) else ""
        return "Import queued; it starts as soon as the background worker picks it up." + waiting
    if state == "running":
        of = f" of {numbers['pages']}" if numbers["pages"] else ""
        return f"Importing: page {numbers['page']}{of}, {numbers['created']} new drafts so far."
    if state == "done":
        return f"Last import: {numbers['created']} new drafts from {numbers['merged']} merged PRs."
    if state == "failed":
        code = progress.get("errorCode") or ""
        advice = "" if code in SETTINGS_ACTIONS else " " + ADVICE.get(code, GENERIC_ADVICE)
        return f"Import failed: {progress.get('error') or 'unknown error'}{advice}"
    return ""


def backfill_status(*, repo_name):
    """The progress of the newest import of ``repo_name`` with every field present (numbers as ints,
    ``state`` one of idle, queued, running, done, failed) plus ``message``, ``actionLabel``, ``actionUrl``
    and ``stale`` (a queued import no worker picked up)."""
    progress = backfill_progress(repo_name=repo_name)
    state = progress.get("state") or "idle"
    numbers = {name: int(progress.get(name) or 0) for name in NUMBERS}
    code = progress.get("errorCode") or ""
    label = SETTINGS_ACTIONS.get(code, "") if state == "failed" else ""
    return {
        "state": state, **numbers,
        "error": progress.get("error") or "", "errorCode": code,
        "startedAt": progress.get("startedAt") or "", "finishedAt": progress.get("finishedAt") or "",
        "message": _message(state, numbers, progress),
        "actionLabel": label, "actionUrl": reverse("settings") + "#github" if label else "",
        "stale": state == "queued" and _queued_too_long(progress),
    }
