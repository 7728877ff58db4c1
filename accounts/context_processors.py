from django.urls import reverse

NAV = [
    ("dashboard-drafts", "Drafts"),
    ("dashboard-published", "Published"),
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
