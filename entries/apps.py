from django.apps import AppConfig


class EntriesConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'entries'

    def ready(self):
        from entries import github_loop  # noqa: F401  registers EntryGitHubLoop, part of the entry's family
