"""Connecting and disconnecting repositories, and the GitHub token that does it."""

import logging
import secrets

from changelog_site.errors import ApiError
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from entries.models import STATUSES, Entry
from entries.services import entry_purge
from repos import github
from repos.models import GitHubToken, HookSecret, Repo

log = logging.getLogger(__name__)

CONNECT_LOCK_SECONDS = 60

GITHUB_ERRORS = {
    "unauthorized": (403, "github_reauth_required"),
    "forbidden": (403, "github_forbidden"),
    "rate_limited": (429, "github_rate_limited"),
    "not_found": (404, "repo_not_found"),
    "hook_exists": (409, "hook_exists"),
    "unprocessable": (400, "github_rejected"),
    "unavailable": (503, "github_unavailable"),
}


def github_api_error(error):
    """The CONTRACT error for a GitHub failure, with ``Retry-After`` where waiting helps."""
    status, code = GITHUB_ERRORS[error.kind]
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after and status in (429, 503) else None
    return ApiError(status, code, error.message, headers=headers)


def github_token_required(user_id):
    token = GitHubToken(user_id).get()
    if not token:
        raise ApiError(409, "github_not_connected",
                       "Connect GitHub first: sign in with GitHub, or paste a personal access token in Settings.")
    return token


def github_token_save(*, user_id, token):
    """Store a GitHub token (OAuth or a pasted personal access token), encrypted."""
    token = (token or "").strip()
    if not token or any(character.isspace() for character in token) or len(token) > 255:
        raise ApiError(400, "invalid", "That does not look like a GitHub token.",
                       errors={"token": "must be a GitHub token with no spaces"})
    GitHubToken(user_id).set(token)


def github_token_check(*, user_id):
    """Ask GitHub whose token this is; raises the mapped ApiError when it is refused."""
    token = github_token_required(user_id)
    try:
        return github.get_authenticated_login(token)
    except github.GitHubError as error:
        raise github_api_error(error) from error


def github_token_delete(*, user_id):
    GitHubToken(user_id).delete()


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
        raise ApiError(400, "invalid", "Give the repository as owner/repo.", errors={"name": "must be owner/repo"})
    return name


def _already_connected(name):
    return ApiError(409, "already_connected", f"{name} is already connected.")


def repo_connect(*, user_id, name):
    """Create the repository's webhook on GitHub and write the repo keys in one transaction.

    Idempotent: an existing hook of ours is reused (GitHub's 422 "already exists"), a
    repository connected by a team member shares its hook and secret, and a second connect
    of the same repository by the same user is a 409 that changes nothing.
    """
    name = _checked_name(name)
    if Repo.get(user_id, name):
        raise _already_connected(name)
    token = github_token_required(user_id)
    client = kv.get_client()
    lock_key = keys.lock("repo-connect", user_id, name.lower())
    if not client.set(lock_key, "1", nx=True, ex=CONNECT_LOCK_SECONDS):
        raise ApiError(409, "connect_in_progress", f"{name} is being connected already; try again in a moment.")
    try:
        return _connect(user_id, name, token)
    finally:
        client.delete(lock_key)


def _connect(user_id, name, token):
    try:
        repository = github.get_repository(token, name)
    except github.GitHubError as error:
        raise github_api_error(error) from error
    name = repository["name"]
    if Repo.get(user_id, name):
        raise _already_connected(name)
    if not repository["canAdmin"]:
        raise ApiError(403, "repository_admin_required",
                       f"Connecting needs admin rights on {name} to create its webhook; ask an admin to connect it.")
    hook_secret = HookSecret(repository["githubRepoId"])
    secret = hook_secret.get() or secrets.token_urlsafe(32)
    try:
        hook_id = github.create_hook(token, name, secret)
    except github.GitHubError as error:
        raise github_api_error(error) from error
    repo = Repo(userId=user_id, name=name, githubRepoId=repository["githubRepoId"],
                isPrivate=repository["isPrivate"], webhookId=hook_id)

    def write(pipe):
        if pipe.exists(repo.key()):
            raise _already_connected(name)
        pipe.multi()
        repo.save(pipe=pipe)
        hook_secret.set(secret, pipe=pipe)
        return repo

    try:
        return kv.transaction(write, repo.key())
    except Exception:
        if not Repo.user_ids_for(name):
            _delete_hook_quietly(token, name, hook_id)
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
    revoked token cannot keep an account alive.
    """
    repo = Repo.get(user_id, name)
    if repo is None:
        raise ApiError(404, "not_found", f"{name} is not one of your connected repositories.")
    last_user = set(Repo.user_ids_for(repo.name)) <= {user_id}
    if last_user and repo.webhookId:
        _remove_hook(user_id, repo, strict)
    entries = _repo_entries(user_id, repo.name) if delete_entries else []
    with kv.atomic() as pipe:
        repo.delete(pipe=pipe)
        if last_user:
            HookSecret(repo.githubRepoId).delete(pipe=pipe)
            pipe.delete(keys.idx_github_repo(repo.githubRepoId))
        for entry in entries:
            entry_purge(entry, pipe=pipe)
    return repo


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


def _repo_entries(user_id, repo_id):
    client = kv.get_client()
    ids = []
    for status in STATUSES:
        ids.extend(client.zrange(keys.idx_repo_entries(user_id, repo_id, status), 0, -1))
    return Entry.get_many_by_ids(ids)
