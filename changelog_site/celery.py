"""The Celery app. Its broker is ``CELERY_BROKER_URL``, by default a DB of the data's Redis server
beside the data's own (``config.sibling_redis_url``), so queues and data never share a keyspace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changelog_site.settings")

app = Celery("changelog_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
