from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse

NAV = [
    ("dashboard-drafts", "Drafts"),
    ("dashboard-published", "Published"),
    ("dashboard-social", "Social posts"),
    ("repositories", "Repositories"),
    ("dashboard-widget", "Widget"),
    ("dashboard-subscribers", "Subscribers"),
    ("dashboard-roadmap", "Roadmap"),
    ("dashboard-analytics", "Analytics"),
    ("dashboard-billing", "Billing"),
    ("settings", "Settings"),
]


def dashboard_nav(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    current = request.resolver_match.url_name if request.resolver_match else None
    return {"dashboard_nav": [{"url": reverse(name), "label": label, "current": name == current}
                              for name, label in NAV]}


def support_email():
    """Where "contact us" links go: ``SUPPORT_EMAIL``, else ``DEFAULT_FROM_EMAIL`` when it is a real
    mailbox (not no-reply, not localhost), else ``""`` (pages then name the server's operator)."""
    if settings.SUPPORT_EMAIL:
        return settings.SUPPORT_EMAIL
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    local, _, domain = sender.rpartition("@")
    if local and "." in domain and not local.lower().replace("-", "").replace("_", "").startswith("noreply"):
        return sender
    return ""


def github_oauth_enabled():
    """True when "Sign in with GitHub" exists on this server (``GITHUB_CLIENT_ID`` and secret set)."""
    return bool(settings.GITHUB_CLIENT_ID and settings.GITHUB_CLIENT_SECRET)


def site(request):
    """For every page: ``support_email`` and ``github_oauth``."""
    return {"support_email": support_email(), "github_oauth": github_oauth_enabled()}
