"""Whether GitHub accepts the user's saved token: "connected as octocat", "refused", or "not
verified yet" while GitHub has not answered (unreachable when the token was saved).

A saved token starts ``unverified`` and its user goes into ``meta:github-tokens-unverified``; the
Settings page asks GitHub at once, and the ``repos.github_tokens_verify`` beat task asks again for
everyone still unverified, until GitHub answers ``verified`` (with the login) or ``refused``.
"""

import logging

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import iso, utc_now
from repos import github
from repos.models import GitHubToken

log = logging.getLogger(__name__)

STATES = ("verified", "unverified", "refused")
REFUSED_KINDS = ("unauthorized", "forbidden")
SWEEP_BATCH = 200


def github_token_state_write(*, user_id, state, login="", detail="", pipe):
    """Record GitHub's answer (or its absence) in ``pipe``; only ``unverified`` stays on the sweep."""
    pipe.delete(keys.meta_github_token_check(user_id))
    pipe.hset(keys.meta_github_token_check(user_id), mapping={
        "state": state, "login": login or "", "detail": detail or "", "checkedAt": iso(utc_now())})
    if state == "unverified":
        pipe.sadd(keys.meta_github_tokens_unverified(), user_id)
    else:
        pipe.srem(keys.meta_github_tokens_unverified(), user_id)


def github_token_state_delete(*, user_id, pipe):
    pipe.delete(keys.meta_github_token_check(user_id))
    pipe.srem(keys.meta_github_tokens_unverified(), user_id)


def github_token_status(*, user_id):
    """``{"state", "login", "checkedAt", "detail"}`` of the saved token, or None without a token.
    A token saved before checks were recorded counts as unverified and joins the sweep."""
    stored = kv.get_client().hgetall(keys.meta_github_token_check(user_id))
    if stored.get("state") in STATES:
        return {name: stored.get(name, "") for name in ("state", "login", "checkedAt", "detail")}
    if not GitHubToken(user_id).exists():
        return None
    with kv.atomic() as pipe:
        github_token_state_write(user_id=user_id, state="unverified", pipe=pipe)
    return {"state": "unverified", "login": "", "checkedAt": "", "detail": ""}


def github_token_verify(*, user_id):
    """Ask GitHub whose token this is and record the answer; returns the new status (None without a
    token). GitHub unreachable, slow or rate-limiting leaves it unverified, for the sweep."""
    token = GitHubToken(user_id).get()
    if not token:
        with kv.atomic() as pipe:
            github_token_state_delete(user_id=user_id, pipe=pipe)
        return None
    try:
        login = github.get_authenticated_login(token)
    except github.GitHubError as error:
        state = "refused" if error.kind in REFUSED_KINDS else "unverified"
        with kv.atomic() as pipe:
            github_token_state_write(user_id=user_id, state=state, detail=error.message.rstrip("."), pipe=pipe)
        return github_token_status(user_id=user_id)
    with kv.atomic() as pipe:
        github_token_state_write(user_id=user_id, state="verified", login=login, pipe=pipe)
    return github_token_status(user_id=user_id)


def github_tokens_verify_pending(*, limit=SWEEP_BATCH):
    """Ask GitHub again about (up to ``limit``) tokens still unverified; returns the states counted."""
    counts = {state: 0 for state in STATES}
    for user_id in kv.get_client().srandmember(keys.meta_github_tokens_unverified(), limit) or []:
        try:
            status = github_token_verify(user_id=user_id)
        except Exception:  # one broken token (e.g. a key no longer configured) must not stop the sweep
            log.exception("could not verify the GitHub token of %s", user_id)
            continue
        if status:
            counts[status["state"]] += 1
    return counts
