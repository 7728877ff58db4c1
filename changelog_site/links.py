"""URLs that come from outside: links from stored data, and ``next`` redirect targets.

Entries, releases and branding hold URLs written by webhooks, imports and owners; rendered as a
link, ``javascript:...`` would run in our origin. ``safe_url`` allows ``https://`` only, plus
``http://`` on the GitHub Enterprise host named by ``GITHUB_API_URL`` (an intranet server may
have no TLS). ``safe_next`` keeps a ``next`` parameter on our own host, or falls back.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

PUBLIC_GITHUB_API_HOST = "api.github.com"


def _enterprise_host():
    host = urlsplit(settings.GITHUB_API_URL).hostname
    return host if host and host != PUBLIC_GITHUB_API_HOST else None


def safe_url(value):
    """``value`` if it is an absolute link we let readers follow, else ``""``."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if any(ord(char) < 0x21 or char in "\\\x7f" for char in url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if not host:
        return ""
    scheme = parts.scheme.lower()
    if scheme == "https" or (scheme == "http" and host == _enterprise_host()):
        return url
    return ""


def safe_next(request, candidate, fallback):
    """Where to send the user back to: ``candidate`` (a ``next`` parameter) if it stays on this
    host (``//evil.example/x`` and ``https://evil.example/`` do not), else ``fallback``."""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback
