"""GitHub sync's part of an account's export and deletion: its sync rules, kept in SQL by userId
(``accounts.signals``). Connected in ``GithubSyncConfig.ready``."""

from django.dispatch import receiver

from accounts.signals import account_deleted, account_export_requested
from github_sync.models import SyncSettings


@receiver(account_export_requested)
def sync_rules_export(sender, user_id, **kwargs):
    return {"syncRules": [{"githubRepoId": rules.github_repo_id, "skipLabel": rules.skip_label,
                           "skipBots": rules.skip_bots, "botPatterns": rules.bot_patterns,
                           "categoryRules": rules.category_rules, "shippedIn": rules.shipped_in,
                           "releasedLabel": rules.released_label,
                           "shippedInRemoveOnUnpublish": rules.shipped_in_remove_on_unpublish}
                          for rules in SyncSettings.objects.filter(user_id=user_id)]}


@receiver(account_deleted)
def sync_rules_delete(sender, user_id, **kwargs):
    SyncSettings.objects.filter(user_id=user_id).delete()
