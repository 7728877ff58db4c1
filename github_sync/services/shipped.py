""""Shipped in" on GitHub: when an entry is published, one comment on each issue its PR fixes and on
the PR ("Shipped in <entry title>: <public entry URL>"), and the ``released`` label on each issue
(docs/github-loop.md).

``shipped_sync`` brings GitHub in line with the entry as it is now, whatever asked for it (a publish,
an edit, an unpublish, "Post again", a retry), so it is safe to run any number of times:

* published: a target without our comment gets one; a comment whose text is out of date (the title
  was edited, the repository renamed) is edited, never posted twice; a comment someone deleted on
  GitHub is not posted again. Before posting, ``postingSince`` is recorded; a run that finds it
  (the previous one died between GitHub's answer and our record) looks for the comment's hidden
  marker on the issue before posting, so not even a crash duplicates a comment;
* unpublished: left alone, unless the owner chose to remove them (the repository setting): then the
  comments are deleted and the label taken off.

Every step is recorded in ``meta:entry-shipped:{entryId}`` as it happens (``entries.github_loop``),
which the editor shows. One run per entry at a time (``lock:shipped-in:{entryId}``). Calls that
change something are spaced ``WRITE_SPACING`` seconds apart per token across all workers (GitHub's
advice against its secondary rate limits, ``rl:github-write:{userId}:next``); a spent rate limit or an
unavailable GitHub raises ``RetryLater`` for the Celery task to retry with backoff, and a refusal
(401/403) is recorded as the reason nothing was posted. Nothing here can fail a publish: the task
runs after the write, and ``shipped_enqueue`` (the publishing hook) never raises.
"""

import hashlib
import logging
import time
from datetime import timedelta
from urllib.parse import quote

from changelog_site.kv import client as kv
from changelog_site.kv import keys, locks
from changelog_site.kv.records import iso, parse_iso, utc_now
from entries.links import entry_url
from entries import github_loop
from entries.models import Entry
from github_sync.services.fixed_issues import user_token
from github_sync.services.loop_settings import loop_settings_get
from github_sync.services.queue import task_enqueue
from repos import github
from repos.models import Repo

log = logging.getLogger(__name__)

WRITE_SPACING = 1.0  # seconds between two calls that change something, per token
MAX_WAIT_IN_TASK = 20  # a longer wait for a slot is a retry later, not a sleeping worker
LOCK_SECONDS = 300
BUSY_RETRY_SECONDS = 30
LABEL_COLOR = "0e8a16"
LABEL_DESCRIPTION = "Shipped in a published changelog entry"
GONE = (404, 410)
MARKER = "<!-- shiplog:shipped-in {entry_id} -->"
MARKER_SEARCH_MARGIN = timedelta(minutes=10)
OFF = "“Shipped in” comments are off for this repository (its settings page)."
NO_TOKEN = "No GitHub token: connect GitHub in Settings, then post again."


class RetryLater(Exception):
    """Ask again in ``seconds`` (a rate limit, an unavailable GitHub, another run holding the entry)."""

    def __init__(self, seconds, detail=""):
        super().__init__(detail or f"retry in {seconds}s")
        self.seconds = max(1, int(seconds))


class Refused(Exception):
    """GitHub refused the token (401/403): nothing more can be posted until the owner acts."""


def comment_body(entry):
    """The comment: ``Shipped in <title>: <public entry URL>`` and a hidden marker naming the entry.
    An ``@`` in the title gets a zero-width space so that the comment mentions nobody."""
    title = " ".join(entry.title.split()).replace("@", "@\u200b")
    return (f"Shipped in {title}: {entry_url(entry.repoId, entry.prId, absolute=True)}\n\n"
            + MARKER.format(entry_id=entry.id))


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- pacing ------------------------------------------------------------------------------------------

def _slot_wait(user_id):
    """Reserve the next write slot of the user's token: seconds to wait for it. A slot further than
    ``MAX_WAIT_IN_TASK`` away is not taken: ``RetryLater``."""
    key = keys.rate_limit("github-write", user_id, "next")

    def apply(pipe):
        now = time.time()
        slot = max(now, float(pipe.get(key) or 0))
        if slot - now > MAX_WAIT_IN_TASK:
            return slot - now
        pipe.multi()
        pipe.set(key, repr(slot + WRITE_SPACING), ex=3600)
        return -(slot - now)

    wait = kv.transaction(apply, key)
    if wait > 0:
        raise RetryLater(wait, "waiting for a free moment to call GitHub")
    return -wait


def _hold_writes(user_id, seconds):
    """After a spent rate limit, no run for this token calls GitHub for ``seconds``."""
    kv.get_client().set(keys.rate_limit("github-write", user_id, "next"), repr(time.time() + seconds),
                        ex=int(seconds) + 3600)


class Run:
    """One pass over an entry's targets with the owner's token; ``record`` is saved after each step."""

    def __init__(self, entry, token, record, sleep):
        self.entry, self.token, self.record, self.sleep = entry, token, record, sleep
        self.targets = record.setdefault("targets", {})

    def save(self, **changes):
        self.record.update(changes, updatedAt=iso(utc_now()))
        github_loop.shipped_write(self.entry.id, self.record)

    def call(self, method, path, **kwargs):
        if method != "GET":
            self.sleep(_slot_wait(self.entry.userId))
        try:
            return github.request(method, path, self.token, **kwargs)
        except github.GitHubError as error:
            if error.kind == "rate_limited":
                _hold_writes(self.entry.userId, error.retry_after or 60)
                raise RetryLater(error.retry_after or 60, error.message) from error
            if error.kind == "unauthorized" or (error.kind == "forbidden" and error.status == 403):
                raise Refused(_refusal(error)) from error
            raise

    # --- posting ---------------------------------------------------------------------------------

    def ensure_label(self, label):
        if not label or self.record.get("labelReady") == label:
            return
        try:
            self.call("GET", f"/repos/{self.entry.repoId}/labels/{quote(label, safe='')}")
        except github.GitHubError as error:
            if error.kind != "not_found":
                raise
            try:
                self.call("POST", f"/repos/{self.entry.repoId}/labels",
                          json={"name": label, "color": LABEL_COLOR, "description": LABEL_DESCRIPTION})
            except github.GitHubError as create_error:
                if create_error.kind not in ("unprocessable", "hook_exists"):  # 422: created meanwhile
                    raise
        self.save(labelReady=label)

    def post(self, number, kind, body, label):
        target = self.targets.setdefault(str(number), {"kind": kind})
        if target.get("state") in ("not_found", "deleted_on_github"):
            return
        try:
            self._comment(number, target, body)
            if kind == "issue" and label and target.get("label") != label:
                self.call("POST", f"/repos/{self.entry.repoId}/issues/{number}/labels", json={"labels": [label]})
                target["label"] = label
                self.save()
        except github.GitHubError as error:
            gone = error.kind == "not_found" or error.status in GONE
            if not gone and error.kind != "unprocessable":
                raise
            target.update(state="not_found" if gone else "failed", detail=_target_problem(error, kind))
            self.save()

    def _comment(self, number, target, body):
        digest, repo = _digest(body), self.entry.repoId
        if not target.get("commentId") and target.get("postingSince"):
            found = self._find_marker(number, target["postingSince"])
            if found:
                target.update(commentId=found["id"], digest=_digest(found.get("body") or ""), postingSince=None)
        if target.get("commentId"):
            if target.get("digest") == digest:
                if target.get("state") not in ("posted", "updated"):
                    target.update(state="posted", detail="")
                return
            try:
                self.call("PATCH", f"/repos/{repo}/issues/comments/{target['commentId']}", json={"body": body})
            except github.GitHubError as error:
                if error.kind != "not_found":
                    raise
                target.update(state="deleted_on_github", commentId=None, detail="The comment was deleted on GitHub; "
                              "it is not posted again.")
                self.save()
                return
            target.update(digest=digest, state="updated", detail="")
            self.save()
            return
        target["postingSince"] = iso(utc_now())
        self.save()
        created = self.call("POST", f"/repos/{repo}/issues/{number}/comments", json={"body": body}).json()
        if not isinstance(created, dict) or not isinstance(created.get("id"), int):
            raise github.GitHubError("unavailable", "GitHub's answer named no comment.", retry_after=60)
        target.update(commentId=created["id"], digest=digest, state="posted", detail="", postingSince=None)
        self.save()

    def _find_marker(self, number, since):
        """Our comment on issue ``number`` from a run that died before recording it, or None."""
        marker = MARKER.format(entry_id=self.entry.id)
        since = iso(parse_iso(since) - MARKER_SEARCH_MARGIN)  # our clock and GitHub's may differ a little
        comments = self.call("GET", f"/repos/{self.entry.repoId}/issues/{number}/comments",
                             params={"since": since, "per_page": 100}).json()
        if not isinstance(comments, list):
            return None
        return next((comment for comment in comments if isinstance(comment, dict)
                     and marker in (comment.get("body") or "") and isinstance(comment.get("id"), int)), None)

    # --- removing --------------------------------------------------------------------------------

    def remove(self, number, target, label):
        """Delete our comment on ``number`` and take off the label we added, then forget the target."""
        paths = []
        if target.get("commentId"):
            paths.append(f"/repos/{self.entry.repoId}/issues/comments/{target['commentId']}")
        if label and target.get("label") == label:
            paths.append(f"/repos/{self.entry.repoId}/issues/{number}/labels/{quote(label, safe='')}")
        for path in paths:
            try:
                self.call("DELETE", path)
            except github.GitHubError as error:
                if error.kind != "not_found" and error.status not in GONE:
                    raise
        self.targets.pop(str(number), None)
        self.save()


def _refusal(error):
    if error.kind == "unauthorized":
        return "GitHub no longer accepts the saved token; reconnect GitHub in Settings."
    return ("GitHub refused (403): the token needs the repo scope and write access to the repository's issues "
            "and pull requests.")


def _target_problem(error, kind):
    if error.kind == "not_found" or error.status in GONE:
        return f"GitHub has no such {'issue' if kind == 'issue' else 'pull request'} any more."
    return f"GitHub rejected the comment: {error.message}"


def _summary(record):
    states = [target.get("state") for target in record.get("targets", {}).values()]
    if any(state == "failed" for state in states):
        return "partial", "Some comments could not be posted; see below."
    return "done", ""


def shipped_sync(*, entry_id, final=True, sleep=time.sleep):
    """Bring GitHub in line with the entry (see the module docstring). ``final``: no retry follows, so
    a retryable problem is recorded as the failure it is. Returns the record's ``state``; raises
    ``RetryLater`` otherwise."""
    entry = Entry.get_by_id(entry_id)
    if entry is None:
        return "gone"
    lock = locks.acquire(keys.lock("shipped-in", entry.id), timeout=LOCK_SECONDS)
    if lock is None:
        if final:
            return "busy"
        raise RetryLater(BUSY_RETRY_SECONDS, "another run is posting for this entry")
    record = github_loop.shipped_get(entry.id)
    try:
        return _sync(entry, record, final, sleep)
    finally:
        locks.release(lock)


def _sync(entry, record, final, sleep):
    repo = Repo.get(entry.userId, entry.repoId)
    settings = loop_settings_get(user_id=entry.userId, github_repo_id=repo.githubRepoId if repo else 0)
    removing = entry.status != "published"
    if removing and not (settings.remove_on_unpublish and record.get("targets")):
        return record.get("state", "idle")
    if not removing and not settings.shipped_in:
        return _stop(entry, record, "off", OFF)
    token = user_token(entry.userId)
    if not token:
        return _stop(entry, record, "no_token", NO_TOKEN)
    run = Run(entry, token, record, sleep)
    run.save(state="posting" if not removing else "removing", detail="")
    try:
        if removing:
            for number, target in list(run.targets.items()):
                run.remove(number, target, settings.released_label)
            run.save(state="removed", detail="Removed from GitHub when the entry was unpublished.")
            return "removed"
        body = comment_body(entry)
        numbers = [fix["number"] for fix in github_loop.fixes_get(entry.id)]
        if numbers:
            run.ensure_label(settings.released_label)
        for number in numbers:
            run.post(number, "issue", body, settings.released_label)
        run.post(entry.prId, "pr", body, None)
    except Refused as refused:
        return _stop(entry, run.record, "failed", str(refused))
    except RetryLater as later:
        if final:
            return _stop(entry, run.record, "failed", f"{later} Use “Post again” to retry.")
        run.save(state="retrying", detail=f"{later} Trying again in about {max(1, round(later.seconds / 60))} min.")
        raise
    except github.GitHubError as error:
        if final:
            return _stop(entry, run.record, "failed", f"{error.message} Use “Post again” to retry.")
        run.save(state="retrying", detail=f"{error.message} Trying again shortly.")
        raise RetryLater(error.retry_after or 60, error.message) from error
    state, detail = _summary(run.record)
    run.save(state=state, detail=detail, postedFor=entry.title)
    return state


def _stop(entry, record, state, detail):
    record.update(state=state, detail=detail, updatedAt=iso(utc_now()))
    github_loop.shipped_write(entry.id, record)
    return state


# --- the publishing hooks ---------------------------------------------------------------------------

def shipped_enqueue(*, entry, reason):
    """The publishing hooks (``reason``: ``published``, ``unpublished``, ``changed``) and "Post again"
    (``again``): queue ``shipped_sync`` when there is something to do, else record why not (off for
    the repository, no token). Never raises."""
    try:
        record = github_loop.shipped_get(entry.id)
        repo = Repo.get(entry.userId, entry.repoId)
        settings = loop_settings_get(user_id=entry.userId, github_repo_id=repo.githubRepoId if repo else 0)
        if reason == "changed" or (reason == "unpublished" and settings.remove_on_unpublish):
            if not record.get("targets"):
                return False
        elif reason in ("published", "again"):
            reason_not = ("off", OFF) if not settings.shipped_in else \
                ("no_token", NO_TOKEN) if not user_token(entry.userId) else None
            if reason_not:
                _stop(entry, record, *reason_not)
                return False
            github_loop.shipped_write(entry.id, dict(record, state="queued", detail="", updatedAt=iso(utc_now())))
        else:
            return False
        task_enqueue("shipped_sync_task", entry.id)
        return True
    except Exception:  # noqa: BLE001  the entry is written already; this must never undo or fail that
        log.exception("could not queue the Shipped-in comments of entry %s", entry.id)
        try:
            _stop(entry, github_loop.shipped_get(entry.id), "failed", "The job could not be queued; use “Post again”.")
        except Exception:  # noqa: BLE001  Redis itself is down: there is nowhere to record it
            log.warning("could not record the Shipped-in failure of entry %s", entry.id)
        return False
