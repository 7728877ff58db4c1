"""SQL tables of the GitHub sync: the webhook inbox, repository hook secrets and each user's
per-repository rules.

All live in the SQL database on purpose (docs/webhooks.md): the inbox and the secrets that
verify what goes into it must work while Redis is unreachable, and the secrets and rules are
keyed by GitHub's numeric repository id, so a rename or a transfer never has to move them.

Its Redis records (``meta:``, ours and not rebuildable) are at the end: the dashboard notices and
disconnection marks of a user, and a repository's releases and backfill progress.
"""

import json

from django.db import models

from changelog_site.kv import keys
from changelog_site.kv.registry import Family, PerUser, RepoKeys, registry
from entries import github_pr
from repos.models import moved_github_url


class WebhookDelivery(models.Model):
    """A verified GitHub delivery that could not be processed when it arrived (Redis was
    unreachable, or older deliveries were still waiting). Drained in ``id`` order."""

    PENDING, PROCESSED, FAILED, REJECTED = "pending", "processed", "failed", "rejected"
    STATES = [(s, s) for s in (PENDING, PROCESSED, FAILED, REJECTED)]

    delivery_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, default="application/json")
    signature = models.CharField(max_length=100, blank=True, default="")
    hook_target_id = models.CharField(max_length=32, blank=True, default="")
    # False only on rows stored before hook secrets moved to SQL (an unverifiable delivery is
    # refused now): the drain verifies such a row before doing anything with it.
    verified = models.BooleanField(default=True)
    body = models.BinaryField()
    body_size = models.PositiveIntegerField(default=0, help_text="len(body): the inbox's byte cap sums it.")
    state = models.CharField(max_length=12, choices=STATES, default=PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self):
        return f"{self.event} {self.delivery_id} ({self.state})"


class SyncSettings(models.Model):
    """How one user's connected repository turns PRs into drafts (the repository settings page).

    ``category_rules`` is ``{"labels": {"ui": "New"}, "prefixes": {"docs": "Improved"}}``; they
    are consulted before the built-in defaults.
    """

    user_id = models.CharField(max_length=100)
    github_repo_id = models.BigIntegerField()
    skip_label = models.CharField(max_length=100, blank=True, default=github_pr.DEFAULT_SKIP_LABEL)
    skip_bots = models.BooleanField(default=True)
    bot_patterns = models.CharField(max_length=500, blank=True, default=",".join(github_pr.DEFAULT_BOT_PATTERNS),
                                    help_text="Comma-separated; an author whose login contains one is a bot.")
    category_rules = models.JSONField(default=dict, blank=True)
    # "Shipped in" on GitHub (docs/github-loop.md): on by default; no label when released_label is blank.
    shipped_in = models.BooleanField(default=True, help_text="Comment on fixed issues and the PR when published.")
    released_label = models.CharField(max_length=50, blank=True, default="released")
    shipped_in_remove_on_unpublish = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "github_repo_id"], name="uniq_sync_settings")]
        verbose_name_plural = "sync settings"

    def __str__(self):
        return f"{self.user_id} / {self.github_repo_id}"

    def rules(self):
        rules = self.category_rules if isinstance(self.category_rules, dict) else {}
        return github_pr.Rules(
            skip_label=self.skip_label.strip(),
            skip_bots=self.skip_bots,
            bot_patterns=tuple(p.strip() for p in self.bot_patterns.split(",") if p.strip()),
            label_categories=dict(rules.get("labels") or {}),
            prefix_categories=dict(rules.get("prefixes") or {}),
        )


# --- Redis records (docs/webhooks.md) -----------------------------------------------------------

@registry.register
class UserNotices(PerUser):
    """``meta:notices:{userId}`` (the dashboard's notices) and ``meta:repo-disconnected:{userId}``
    (repositories GitHub deleted under the user), deleted with the user."""


    def own_keys(self):
        return [keys.meta_user_notices(self.user_id), keys.meta_repo_disconnected(self.user_id)]


@registry.register
class RepoDisconnectedMark(Family):
    """One repository's field in ``meta:repo-disconnected:{userId}``: renamed with the repository."""

    repo_scope = "user"

    def __init__(self, user_id, repo_id, value):
        self.user_id, self.repo_id, self.value = user_id, repo_id, value

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return [keys.meta_repo_disconnected(user_id)]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        value = reader.hget(keys.meta_repo_disconnected(user_id), repo_id)
        return [] if value is None else [cls(user_id, repo_id, value)]

    def delete_own(self, pipe):
        pipe.hdel(keys.meta_repo_disconnected(self.user_id), self.repo_id)

    def move(self, pipe, new_repo_id):
        self.delete_own(pipe)
        pipe.hset(keys.meta_repo_disconnected(self.user_id), new_repo_id, self.value)
        self.repo_id = new_repo_id


@registry.register
class RepoSyncState(RepoKeys):
    """A repository's published releases (``meta:releases:{repoName}`` and its data hash) and its
    newest backfill's progress (``meta:backfill:{repoName}``). A rename also points the releases'
    ``htmlUrl`` at the new name."""

    releases = None

    @staticmethod
    def keys_for(repo_id):
        return [keys.meta_repo_releases(repo_id), keys.meta_repo_release_data(repo_id), keys.meta_backfill(repo_id)]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        found = super().of_repo(reader, repo_id)
        for record in found:
            record.releases = reader.hgetall(keys.meta_repo_release_data(repo_id))
        return found

    def move(self, pipe, new_repo_id):
        old_data, new_data = keys.meta_repo_release_data(self.repo_id), keys.meta_repo_release_data(new_repo_id)
        self.present = [key for key in self.present or () if key != old_data]
        super().move(pipe, new_repo_id)
        if self.releases:
            pipe.delete(old_data)
            pipe.hset(new_data, mapping={release_id: self._moved(raw, new_repo_id)
                                         for release_id, raw in self.releases.items()})

    def _moved(self, raw, new_repo_id):
        release = json.loads(raw)
        if isinstance(release, dict) and release.get("htmlUrl"):
            release["htmlUrl"] = moved_github_url(release["htmlUrl"], self.repo_id, new_repo_id)
        return json.dumps(release, separators=(",", ":"))
