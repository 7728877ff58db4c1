import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from changelog_site.celery import app
from changelog_site.tasks import ping

pytestmark = pytest.mark.slow


@pytest.fixture
def real_worker():
    """A Celery worker thread consuming from the real Redis broker (tests run tasks eagerly otherwise):
    the broker's own DB, which also keeps the results here."""
    previous = {name: app.conf[name] for name in ("task_always_eager", "result_backend", "broker_url")}
    app.conf.update(task_always_eager=False, result_backend=settings.CELERY_BROKER_URL,
                    broker_url=settings.CELERY_BROKER_URL)
    forget_cached_backend()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(previous)
        forget_cached_backend()


def forget_cached_backend():
    """Celery caches the result backend per thread on first use; make it read the conf again."""
    vars(app._local).pop("backend", None)


def test_it_runs_a_task_on_a_worker_through_the_redis_broker(real_worker):
    assert ping.delay().get(timeout=20) == {"status": "ok"}
