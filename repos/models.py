"""Connected repositories, the repo-to-user mapping, the GitHub token and the webhook secrets (SQL):
what repos owns."""

from typing import Annotated

from django.db import models
from pydantic import AfterValidator, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Flag, Id, Integer, JsonRecord, Timestamp, text, utc_now
from changelog_site.kv.registry import Family, PerUser, registry


def repo_slug(name):
    return name.replace("/", "-").lower()


def moved_github_url(url, old, new):
    """``url`` of a page of repository ``old`` as it reads after a rename or transfer to ``new``."""
    prefix = f"https://github.com/{old}/"
    if isinstance(url, str) and url.lower().startswith(prefix.lower()):
        return f"https://github.com/{new}/" + url[len(prefix):]
    return url


def related_repo_ids(user_id):
    """Every repository a user has records of, connected or not (``idx:user-related-repos``)."""
    client = kv.get_client()
    return sorted(client.smembers(keys.idx_user_related_repos(user_id)) | client.smembers(keys.idx_user_repos(user_id)),
                  key=str.lower)


def _repo_name(value):
    if not keys.REPO_NAME.match(value):
        raise PydanticCustomError("repo_name", "must be owner/repo")
    return value


RepoName = Annotated[str, Strict(), AfterValidator(_repo_name)]


@registry.register
class Repo(JsonRecord):
    """``repo:{userId}:{repoId}`` plus its mapping ``repo:{repoName}:users:{userId}``.

    ``id`` and ``name`` are both GitHub's ``full_name``. The mapping key's
    value is the userId. Both keys and the indexes (the user's repos, the repo's users,
    GitHub's numeric id -> name) are written in one transaction.
    """

    kind = "repo"
    parent = "user"
    repo_scope = "user"
    key_names = ("repo", "repo_user")
    index_names = ("idx_user_repos", "idx_repo_users", "idx_github_repo")
    export_section = "repos"

    id: Id
    userId: Id
    githubRepoId: Integer
    name: RepoName
    slug: text()
    isPrivate: Flag = False
    connectedAt: Timestamp = Field(default_factory=utc_now)
    webhookId: Integer | None = None

    @model_validator(mode="before")
    @classmethod
    def _derive_id_and_slug(cls, data):
        if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"]:
            data = dict(data)
            data["id"] = data.get("id") or data["name"]
            data["slug"] = data.get("slug") or repo_slug(data["name"])
        return data

    def key(self):
        return keys.repo(self.userId, self.id)

    def own_keys(self):
        """The record and its mapping; with the repository's last user, GitHub's id pointer too."""
        found = [self.key(), keys.repo_user(self.name, self.userId)]
        if set(Repo.user_ids_for(self.name)) <= {self.userId}:
            found.append(keys.idx_github_repo(self.githubRepoId))
        return found

    def add_to_indexes(self, pipe):
        pipe.set(keys.repo_user(self.name, self.userId), self.userId)
        pipe.sadd(keys.idx_user_repos(self.userId), self.name)
        pipe.sadd(keys.idx_repo_users(self.name), self.userId)
        pipe.set(keys.idx_github_repo(self.githubRepoId), self.name)
        pipe.sadd(keys.idx_user_related_repos(self.userId), self.name)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.repo_user(self.name, self.userId))
        pipe.srem(keys.idx_user_repos(self.userId), self.name)
        pipe.srem(keys.idx_repo_users(self.name), self.userId)

    @classmethod
    def children_of(cls, user):
        return cls.for_user(user.id)

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return [keys.repo(user_id, repo_id), keys.idx_repo_users(repo_id)]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        raw = reader.get(keys.repo(user_id, repo_id))
        return [] if raw is None else [cls.loads(raw)]

    def move(self, pipe, new_repo_id):
        old = self.name
        pipe.delete(self.key())
        self.remove_from_indexes(pipe)
        pipe.srem(keys.idx_user_related_repos(self.userId), old)
        self.id = self.name = new_repo_id
        self.slug = repo_slug(new_repo_id)
        pipe.set(self.key(), self.dumps())
        self.add_to_indexes(pipe)

    @classmethod
    def get(cls, user_id, repo_id):
        return cls.get_by_key(keys.repo(user_id, repo_id))

    @classmethod
    def for_user(cls, user_id):
        names = sorted(kv.get_client().smembers(keys.idx_user_repos(user_id)), key=str.lower)
        return cls.get_many_by_keys([keys.repo(user_id, name) for name in names])

    @staticmethod
    def user_ids_for(repo_name):
        """Who connected ``repo_name`` (from the index the mapping keys feed)."""
        return sorted(kv.get_client().smembers(keys.idx_repo_users(repo_name)))

    @staticmethod
    def name_for_github_id(github_repo_id):
        return kv.get_client().get(keys.idx_github_repo(github_repo_id))

    @staticmethod
    def connected_by_github_id(github_repo_id, guessed_name):
        """``(name, user_ids)`` of the repository GitHub knows as ``github_repo_id``: the name it
        is stored under (``guessed_name`` when no index entry names another) and who connected
        it. One round trip when the guess is right (the usual case: a delivery's own
        ``full_name``), two when the repository was renamed on GitHub."""
        pipe = kv.get_client().pipeline(transaction=False)
        pipe.get(keys.idx_github_repo(github_repo_id))
        pipe.smembers(keys.idx_repo_users(guessed_name))
        indexed, guessed_users = pipe.execute()
        if indexed is None or indexed == guessed_name:
            return guessed_name, sorted(guessed_users)
        return indexed, Repo.user_ids_for(indexed)

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        if name == "repo_user":
            pipe.sadd(keys.idx_repo_users(fields["repo_name"]), fields["user_id"])
        else:
            super().reindex(name, key, fields, pipe, run)

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        if key_name == "idx_user_repos":
            return [name for name in client.smembers(key) if not client.exists(keys.repo(fields["user_id"], name))]
        if key_name == "idx_repo_users":
            return [user_id for user_id in client.smembers(key)
                    if not client.exists(keys.repo_user(fields["repo_name"], user_id))]
        name = client.get(key)
        return not name or not client.exists(keys.idx_repo_users(name))


@registry.register
class RepoShares(Family):
    """What the users of a repository share (its subscribers, branding, releases, changelog
    version...: the registered classes with ``repo_scope = "repo"``), in the family of a user who
    is the only one with the repository, connected or not: exported with their data and deleted
    with their account, so the last user takes it along. A repository another user has connected
    keeps it for them."""

    parent = "user"
    sweeps = True  # after the user's entries, whose deletion bumps the changelog version

    def __init__(self, repo_id):
        self.repo_id = repo_id

    @classmethod
    def children_of(cls, user):
        return [cls(repo_id) for repo_id in related_repo_ids(user.id) if set(Repo.user_ids_for(repo_id)) <= {user.id}]

    def dependents(self):
        client = kv.get_client()
        return [record for record_class in registry.repo_scoped("repo")
                for record in record_class.of_repo(client, self.repo_id)]


class EncryptedValue(Family):
    """A secret kept at one key as a Fernet token (MultiFernet, ``TOKEN_ENCRYPTION_KEYS``), never plaintext."""

    def key(self):
        raise NotImplementedError

    def own_keys(self):
        return [self.key()]

    def set(self, secret, pipe=None):
        if not secret:
            raise ValueError("an empty secret cannot be stored")
        with kv.atomic(pipe) as p:
            p.set(self.key(), crypto.encrypt(secret))

    def get(self):
        """The plaintext, or None. Raises ``crypto.InvalidToken`` if no configured key opens it."""
        stored = kv.get_client().get(self.key())
        return None if stored is None else crypto.decrypt(stored)

    def exists(self):
        return bool(kv.get_client().exists(self.key()))

    def reencrypt(self):
        """Re-encrypt under the newest key; a legacy plaintext value gets encrypted. True if changed."""

        def rewrite(pipe):
            stored = pipe.get(self.key())
            if stored is None:
                return False
            updated = crypto.rotate(stored) if crypto.is_encrypted(stored) else crypto.encrypt(stored)
            pipe.multi()
            pipe.set(self.key(), updated)
            return True

        return kv.transaction(rewrite, self.key())


@registry.register
class GitHubToken(EncryptedValue, PerUser):
    """``user:{userId}:github_token``: the user's GitHub token (OAuth or pasted personal token).

    Its family includes the GitHub listings cached with it (``cache:github-pages:{userId}``) and
    what GitHub said about it (``meta:github-token-check:{userId}``): deleting the token forgets
    both."""

    key_names = ("github_token",)
    export_section = "githubConnected"
    export_as = "one"

    def key(self):
        return keys.github_token(self.user_id)

    def own_keys(self):
        return [self.key(), keys.cache_github_pages(self.user_id), keys.meta_github_token_check(self.user_id)]

    def remove_from_indexes(self, pipe):
        pipe.srem(keys.meta_github_tokens_unverified(), self.user_id)

    def export(self):
        return self.exists()

    @classmethod
    def first_usable(cls, user_ids):
        """The first of these users' tokens that a configured key opens, or None: a shared
        repository's background work (backfill, roadmap import) runs with any of its users' tokens."""
        for user_id in user_ids:
            try:
                token = cls(user_id).get()
            except crypto.InvalidToken:
                continue
            if token:
                return token
        return None

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        stored = run.client.get(key)
        if stored and not crypto.is_encrypted(stored):
            cls(fields["user_id"]).reencrypt()
            run.count("converted:github-token")


# --- SQL: the secrets of the repositories' webhooks ---------------------------------------------


class RepoHookSecret(models.Model):
    """The secret of a repository's webhook, as a Fernet token (``changelog_site.crypto``).

    One row per repository (GitHub's numeric id, unique): the one webhook is shared by every user
    who connected it. Use it through ``repos.hook_secrets``, which encrypts and decrypts.
    """

    github_repo_id = models.BigIntegerField(unique=True)
    encrypted_secret = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"hook secret of repository {self.github_repo_id}"
