"""Connected repositories, the repo-to-user mapping and the GitHub token: what repos owns."""

from changelog_site import crypto
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Field, JsonRecord, ValidationError, iso, utc_now


def repo_slug(name):
    return name.replace("/", "-").lower()


class Repo(JsonRecord):
    """``repo:{userId}:{repoId}`` plus its mapping ``repo:{repoName}:users:{userId}``.

    ``id`` and ``name`` are both GitHub's ``full_name`` (CONTRACT.md). The mapping key's
    value is the userId. Both keys and three indexes (the user's repos, the repo's users,
    GitHub's numeric id -> name) are written in one transaction.
    """

    id = Field(str, min_length=1)
    userId = Field(str, min_length=1)
    githubRepoId = Field(int)
    name = Field(str, min_length=1)
    slug = Field(str)
    isPrivate = Field(bool, default=False)
    connectedAt = Field("datetime", default=lambda: iso(utc_now()))
    webhookId = Field(int, required=False)

    def __init__(self, **values):
        super().__init__(**values)
        if self.name and not self.id:
            self.id = self.name
        if self.name and not self.slug:
            self.slug = repo_slug(self.name)

    def validate(self):
        super().validate()
        if not keys.REPO_NAME.match(self.name or ""):
            raise ValidationError({"name": "must be owner/repo"})

    def key(self):
        return keys.repo(self.userId, self.id)

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


class EncryptedValue:
    """A secret kept at one key as a Fernet token (MultiFernet, ``TOKEN_ENCRYPTION_KEYS``), never plaintext."""

    def key(self):
        raise NotImplementedError

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

    def delete(self, pipe=None):
        with kv.atomic(pipe) as p:
            p.delete(self.key())

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


class GitHubToken(EncryptedValue):
    """``user:{userId}:github_token``: the user's GitHub token (OAuth or pasted personal token)."""

    def __init__(self, user_id):
        self.user_id = user_id

    def key(self):
        return keys.github_token(self.user_id)


class HookSecret(EncryptedValue):
    """The secret of a repository's webhook, encrypted at ``idx:hook-secret:{githubRepoId}``.

    The webhook receiver checks ``X-Hub-Signature-256`` against ``HookSecret(id).get()`` when
    the global ``GITHUB_WEBHOOK_SECRET`` does not match.
    """

    def __init__(self, github_repo_id):
        self.github_repo_id = github_repo_id

    def key(self):
        return keys.idx_hook_secret(self.github_repo_id)
