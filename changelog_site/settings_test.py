"""Test settings: the real Redis on its own DB number (TEST_REDIS_URL), flushed per test; Django's
cache and Celery's broker on the two DBs beside it."""

import os

os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# The cache and the broker go to the test DB's siblings (config.sibling_redis_url), never to
# whatever CACHE_URL or CELERY_BROKER_URL the shell has: the tests clear the cache.
for name in ("CACHE_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)
os.environ.setdefault("SHIPLOG_DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
# plain HTTP like the test client, whatever the shell says (an https:// one switches on SSL redirects)
os.environ["PUBLIC_BASE_URL"] = "http://testserver"
os.environ.setdefault("TOKEN_ENCRYPTION_KEYS", "9bF2-HVoYTnXi3-Cxw6vMIBkgS2h4cKWsXdMjFwa4hI=")
# tests race up to 50 threads on one process's pool (the web server runs WEB_THREADS per worker)
os.environ.setdefault("KV_MAX_CONNECTIONS", "64")

from .settings import *  # noqa: E402,F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
GITHUB_API_URL = "https://github.test/api"
PUBLIC_BASE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
