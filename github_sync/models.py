"""SQL tables of the GitHub sync: the webhook inbox and each user's per-repository rules.

Both live in the SQL database on purpose (docs/webhooks.md): the inbox must work while Redis
is unreachable, and the rules are keyed by GitHub's numeric repository id, so a rename or a
transfer never has to move them.
"""

from django.db import models

from entries import github_pr


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
    # False when only a repository's own secret could vouch for it and Redis (where that secret
    # lives) was down: the drain verifies it before doing anything with it.
    verified = models.BooleanField(default=True)
    body = models.BinaryField()
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
