"""The Celery app: broker defaults to the same Redis as the data (CELERY_BROKER_URL)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changelog_site.settings")

app = Celery("changelog_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
