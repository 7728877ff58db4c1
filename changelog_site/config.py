"""What ``settings`` reads the environment with: django-environ's ``Env`` (plus ``console://``
emails and name lists), the email settings, secrets generated once under the data directory, and
the Redis URLs of Django's cache and Celery's broker beside the data's."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import environ


class Env(environ.Env):
    """django-environ, with ``console://`` accepted in ``EMAIL_URL`` as it always was here."""

    EMAIL_SCHEMES = {**environ.Env.EMAIL_SCHEMES, "console": "django.core.mail.backends.console.EmailBackend"}

    def names(self, var, default=()):
        """A comma-separated list, each item stripped, empty items dropped."""
        return [item for item in self.list(var, cast=str.strip, default=list(default)) if item]


def email_settings(env, email_url):
    """Django's ``EMAIL_*`` settings: from ``email_url`` (``smtp://user:pass@host:port``,
    ``smtp+tls://``, ``smtp+ssl://``, ``smtps://``, ``console://``), else from ``EMAIL_HOST`` and
    its siblings, else the console backend."""
    if email_url:
        # smtps:// means implicit TLS here (django-environ reads it as STARTTLS): the same as smtp+ssl://.
        email = env.email_url_config(email_url.replace("smtps://", "smtp+ssl://", 1))
        use_tls, use_ssl = email.get("EMAIL_USE_TLS", False), email.get("EMAIL_USE_SSL", False)
        return {"EMAIL_BACKEND": email["EMAIL_BACKEND"], "EMAIL_USE_TLS": use_tls, "EMAIL_USE_SSL": use_ssl,
                "EMAIL_HOST": email["EMAIL_HOST"] or "localhost",
                "EMAIL_PORT": email["EMAIL_PORT"] or (465 if use_ssl else 587),
                "EMAIL_HOST_USER": email["EMAIL_HOST_USER"] or "",
                "EMAIL_HOST_PASSWORD": email["EMAIL_HOST_PASSWORD"] or ""}
    if env.str("EMAIL_HOST", default=""):
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": env.str("EMAIL_HOST"),
                "EMAIL_PORT": env.int("EMAIL_PORT", default=587),
                "EMAIL_HOST_USER": env.str("EMAIL_HOST_USER", default=""),
                "EMAIL_HOST_PASSWORD": env.str("EMAIL_HOST_PASSWORD", default=""),
                "EMAIL_USE_TLS": env.bool("EMAIL_USE_TLS", default=True),
                "EMAIL_USE_SSL": env.bool("EMAIL_USE_SSL", default=False)}
    return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def persisted_secret(directory, filename, make):
    """A development secret generated once and kept in ``directory``, so restarts keep sessions and tokens."""
    path = directory / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def make_fernet_key():
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def sibling_redis_url(url, offset):
    """``url`` on another DB of the same server: ``offset`` (1 or 2) after its own, or, when that
    would pass DB 15 (Redis has 16 by default), the two before it. Django's cache (offset 1) and
    Celery's broker (offset 2) live there, so their keys and a ``cache.clear()`` never meet the data."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    in_query = parts.scheme == "unix" or "db" in query
    db = int(query.get("db", 0) if in_query else (parts.path.strip("/") or 0))
    target = db + offset if db + 2 <= 15 else db - 3 + offset
    if not in_query:
        return urlunsplit(parts._replace(path=f"/{target}"))
    query["db"] = str(target)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(query=urlencode(query)))
