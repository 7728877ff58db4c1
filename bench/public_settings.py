"""Settings for bench/public.py's gunicorn: the real settings plus a hello-world route, no upvote limit."""

from changelog_site.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.public_urls"
UPVOTE_RATE_LIMIT = 10**9
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "WARNING"}}
