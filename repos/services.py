"""Connecting and disconnecting repositories, and the GitHub token that does it."""

import logging
from contextlib import contextmanager

from django.conf import settings

from changelog_site.domain import Conflict, Forbidden, GitHubUnavailable, NotFound, RateLimited, ValidationFailed
from changelog_site.kv import client as kv
from changelog_site.kv import keys, locks
from changelog_site.kv.registry import registry
from repos import github, token_check
from repos.hook_secrets import HookSecret
from repos.models import GitHubToken, Repo

log = logging.getLogger(__name__)

# A connect makes up to four GitHub calls (each HTTP_TIMEOUT, reads retried with backoff): the
# lock outlives them by far. A second user connecting the same repository waits this long.
REPO_LOCK_SECONDS = 300
REPO_LOCK_WAIT_SECONDS = 20

GITHUB_ERRORS = {
    "unauthorized": (Forbidden, "github_reauth_required"),
    "forbidden": (Forbidden, "github_forbidden"),
    "rate_limited": (RateLimited, "github_rate_limited"),
    "not_found": (NotFound, "repo_not_found"),
    "hook_exists": (Conflict, "hook_exists"),
    "unprocessable": (ValidationFailed, "github_rejected"),
    "unavailable": (GitHubUnavailable, "github_unavailable"),
}


def github_api_error(error):
    """The domain error for a ``github.GitHubError``, saying how long to wait where waiting helps."""
    kind, code = GITHUB_ERRORS[error.kind]
    if kind is RateLimited:
        return RateLimited(error.message, code=code, retry_after=error.retry_after or 60)
    return kind(error.message, code=code, retry_after=error.retry_after if kind is GitHubUnavailable else None)


def github_token_required(user_id):
    token = GitHubToken(user_id).get()
    if not token:
        oauth = settings.GITHUB_CLIENT_ID and settings.GITHUB_CLIENT_SECRET
        how = "sign in with GitHub, or paste" if oauth else "paste"
        raise Conflict(f"Connect GitHub first: {how} a personal access token in Settings.", code="github_not_connected")
    return token


def github_token_save(*, user_id, token, verified_login=None):
    """Store a GitHub token (OAuth or a pasted personal access token), encrypted, as "not verified
    yet" until GitHub answers (``repos.token_check``); an OAuth token GitHub just issued for
    ``verified_login`` is verified already."""
    token = (token or "").strip()
    if not token or any(character.isspace() for character in token) or len(token) > 255:
        raise ValidationFailed("That does not look like a GitHub token.",
                               errors={"token": "must be a GitHub token with no spaces"})
    with kv.atomic() as pipe:
        GitHubToken(user_id).set(token, pipe=pipe)
        token_check.github_token_state_write(user_id=user_id, state="verified" if verified_login else "unverified",
                                             login=verified_login or "", pipe=pipe)


def github_token_delete(*, user_id):
    with kv.atomic() as pipe:
        GitHubToken(user_id).delete(pipe=pipe)
        token_check.github_token_state_delete(user_id=user_id, pipe=pipe)


def repos_available(*, user_id, query=""):
    """The user's GitHub repositories (all pages), marked with whether each is connected."""
    token = github_token_required(user_id)
    try:
        repositories = github.list_repositories(token, user_id=user_id)
    except github.GitHubError as error:
        raise github_api_error(error) from error
    connected = kv.get_client().smembers(keys.idx_user_repos(user_id))
    query = query.strip().lower()
    return [dict(repository, connected=repository["name"] in connected) for repository in repositories
            if not query or query in repository["name"].lower() or query in repository["description"].lower()]


def _checked_name(name):
    name = (name or "").strip().strip("/")
    if not keys.REPO_NAME.match(name):
        raise ValidationFailed("Give the repository as owner/repo.", errors={"name": "must be owner/repo"})
    return name


def _already_connected(name):
    return Conflict(f"{name} is already connected.", code="already_connected")


@contextmanager
def _repository_locked(github_repo_id, name):
    """One connect or disconnect of a repository at a time, whichever user runs it, so two users
    never create two hooks or secrets and "the last user left" is decided once. redis-py's
    ``Lock``: a token-checked release never frees a lock someone else holds by now."""
    lock = kv.get_client().lock(keys.lock("repo-connect", github_repo_id), timeout=REPO_LOCK_SECONDS,
                                blocking_timeout=REPO_LOCK_WAIT_SECONDS)
    if not lock.acquire():
        raise Conflict(f"{name} is being connected or disconnected; try again in a moment.",
                       code="connect_in_progress")
    try:
        yield
    finally:
        locks.release(lock)


def repo_connect(*, user_id, name):
    """Create the repository's webhook on GitHub and write the repo keys in one transaction.

    Idempotent: an existing hook of ours is reused (GitHub's 422 "already exists"), a
    repository connected by a team member shares its hook and secret, and a second connect
    of the same repository by the same user is a 409 that changes nothing. Runs under the
    repository's lock: concurrent connects by several users leave one hook and one secret.
    """
    name = _checked_name(name)
    if Repo.get(user_id, name):
        raise _already_connected(name)
    token = github_token_required(user_id)
    try:
        repository = github.get_repository(token, name)
    except github.GitHubError as error:
        raise github_api_error(error) from error
    with _repository_locked(repository["githubRepoId"], repository["name"]):
        return _connect(user_id, repository, token)


def _connect(user_id, repository, token):
    name = repository["name"]
    if Repo.get(user_id, name):
        raise _already_connected(name)
    if not repository["canAdmin"]:
        raise Forbidden(f"Connecting needs admin rights on {name} to create its webhook; ask an admin to connect it.",
                        code="repository_admin_required")
    hook_secret = HookSecret(repository["githubRepoId"])
    secret = hook_secret.ensure()  # in SQL before the hook exists: its first delivery verifies
    try:
        hook_id = github.create_hook(token, name, secret)
    except github.GitHubError as error:
        if not Repo.user_ids_for(name):
            hook_secret.delete()
        raise github_api_error(error) from error
    repo = Repo(userId=user_id, name=name, githubRepoId=repository["githubRepoId"],
                isPrivate=repository["isPrivate"], webhookId=hook_id)

    def write(pipe):
        if pipe.exists(repo.key()):
            raise _already_connected(name)
        pipe.multi()
        repo.save(pipe=pipe)
        return repo

    try:
        return kv.transaction(write, repo.key(), keys.idx_repo_users(name))
    except Exception:
        if not Repo.user_ids_for(name):
            _delete_hook_quietly(token, name, hook_id)
            hook_secret.delete()
        raise


def _delete_hook_quietly(token, name, hook_id):
    try:
        github.delete_hook(token, name, hook_id)
    except github.GitHubError as error:
        log.warning("Could not remove the webhook of %s after a failed connect: %s", name, error.kind)


def repo_disconnect(*, user_id, name, delete_entries=False, strict=True):
    """Remove the user's repo keys and, when no team member still has it connected, its webhook.

    A webhook already gone on GitHub is fine. With ``strict`` a GitHub failure stops the
    disconnect before anything is written; account deletion passes ``strict=False`` so a
    revoked token cannot keep an account alive. Runs under the repository's lock, and the
    repo-users set is watched while the keys go: of concurrent last disconnects, exactly one
    deletes the hook and the secret.
    """
    repo = Repo.get(user_id, name)
    if repo is None:
        raise _not_connected(name)
    with _repository_locked(repo.githubRepoId, repo.name):
        return _disconnect(user_id, name, delete_entries, strict)


def _not_connected(name):
    return NotFound(f"{name} is not one of your connected repositories.")


def _disconnect(user_id, name, delete_entries, strict):
    repo = Repo.get(user_id, name)  # again, under the lock: a concurrent disconnect may have won
    if repo is None:
        raise _not_connected(name)
    users = keys.idx_repo_users(repo.name)
    last_user = set(Repo.user_ids_for(repo.name)) <= {user_id}
    if last_user and repo.webhookId:
        _remove_hook(user_id, repo, strict)
    entries = _entries_of(user_id, repo.name) if delete_entries else []

    def write(pipe):
        alone = set(pipe.smembers(users)) <= {user_id}
        pipe.multi()
        repo.delete(pipe=pipe)
        if alone:
            pipe.delete(keys.idx_github_repo(repo.githubRepoId))
        for entry in entries:
            entry.delete(pipe)  # with its family: social drafts, upvotes, page views...
        return alone

    if kv.transaction(write, users, repo.key()):
        HookSecret(repo.githubRepoId).delete()
    return repo


def _entries_of(user_id, repo_name):
    """The user's entries of the repository, found through the registry (the class that stores
    ``entry:`` keys): entries sit above repos, which never imports them."""
    return registry.owner("entry").of_repo(kv.get_client(), repo_name, user_id)


def _remove_hook(user_id, repo, strict):
    token = GitHubToken(user_id).get()
    if not token:
        if strict:
            github_token_required(user_id)
        return
    try:
        github.delete_hook(token, repo.name, repo.webhookId)
    except github.GitHubError as error:
        if strict:
            raise github_api_error(error) from error
        log.warning("Left the webhook of %s in place: %s", repo.name, error.kind)
