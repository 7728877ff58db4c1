from django.apps import AppConfig


class GithubSyncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "github_sync"
    verbose_name = "GitHub sync"

    def ready(self):
        from changelog_site.kv.reindex import reindex_finished

        reindex_finished.connect(_carry_hook_secrets_to_sql, dispatch_uid="github_sync.hook_secrets")


def _carry_hook_secrets_to_sql(sender, reindexer, **kwargs):
    """``kv_reindex`` carries webhook secrets older versions kept in Redis over to SQL."""
    from github_sync.hook_secrets import hook_secrets_import_from_redis

    carried = hook_secrets_import_from_redis()
    if carried:
        reindexer.count("carried:hook-secret", carried)
