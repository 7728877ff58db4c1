from django.apps import AppConfig


class GithubSyncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "github_sync"
    verbose_name = "GitHub sync"

    def ready(self):
        from github_sync import receivers  # noqa: F401  (connects them)
        from github_sync import loop_receivers  # noqa: F401  ("Shipped in" follows publishing)
