"""``EMAIL_URL`` (``smtp://user:pass@host:port``, ``smtp+tls://``, ``smtp+ssl://``, ``console://``)."""

from urllib.parse import unquote, urlparse


def parse_email_url(url):
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme not in ("smtp", "smtp+tls", "smtp+ssl", "smtps"):
        raise ValueError(f"EMAIL_URL scheme {scheme!r} is not one of smtp, smtp+tls, smtp+ssl, console")
    use_ssl = scheme in ("smtp+ssl", "smtps")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if use_ssl else 587),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": use_ssl,
    }
