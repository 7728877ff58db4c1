from django.apps import AppConfig


class ReposConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'repos'

    def ready(self):
        from repos import receivers  # noqa: F401  (connects them)
