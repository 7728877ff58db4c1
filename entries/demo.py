"""The demo account of ``manage.py demo`` (``{DEMO_EMAIL}``): a connected repository and realistic
entries, and the live example changelog the home page links to once it is loaded."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.services import account_by_email, account_create, account_signup
from entries.models import Entry
from repos.models import Repo

DEMO_EMAIL = "demo@shiplog.local"
DEMO_PASSWORD = "shiplog-demo"
DEMO_REPO = "shiplog-demo/acme-app"
DEMO_GITHUB_REPO_ID = 900000001

ENTRIES = [
    (142, "Dark mode for the dashboard", "New", "published", "2026-02-03T14:12:00Z", "maria-dev",
     "The dashboard now follows your system theme, with a manual toggle in the header.", ["enhancement", "ui"]),
    (145, "Fix CSV export dropping rows with emoji", "Fixed", "published", "2026-02-07T09:40:00Z", "kenji",
     "Exports now keep every row; names with emoji or accents are written as UTF-8.", ["bug"]),
    (151, "Faster search across projects", "Improved", "published", "2026-02-12T17:05:00Z", "maria-dev",
     "Search results come back about 4x faster thanks to a new index.", ["performance"]),
    (158, "Slack notifications for new comments", "New", "published", "2026-02-20T11:30:00Z", "ade-o",
     "Connect a Slack channel in Settings → Integrations to get a message for every new comment.",
     ["enhancement", "integrations"]),
    (163, "Fix timezone shown on invoices", "Fixed", "draft", "2026-03-02T08:15:00Z", "kenji",
     "Invoices now show dates in your account's timezone instead of UTC.", ["bug", "billing"]),
    (167, "Bulk archive projects", "New", "draft", "2026-03-05T16:45:00Z", "ade-o",
     "Select several projects and archive them in one go.", ["enhancement"]),
    (170, "Upgrade to Django 5.2", "Other", "draft", "2026-03-08T10:00:00Z", "dependabot[bot]",
     "Routine dependency upgrade.", ["dependencies"]),
]


def example_changelog_url():
    """The demo's public changelog, or None while the demo is not loaded."""
    return f"/changelog/{DEMO_REPO}/" if Repo.user_ids_for(DEMO_REPO) else None


def demo_load():
    """Create the demo account, connect its repository and add the entries it lacks (idempotent).
    Returns ``(user_id, entries created)``."""
    django_user = account_by_email(DEMO_EMAIL) or _demo_account_create()
    user_id = account_create(django_user=django_user)  # a demo login made by hand gets linked
    if not Repo.get(user_id, DEMO_REPO):
        Repo(userId=user_id, name=DEMO_REPO, githubRepoId=DEMO_GITHUB_REPO_ID, isPrivate=False).save()
    created = 0
    for pr_id, title, category, status, merged_at, author, body, labels in ENTRIES:
        if Entry.get(user_id, DEMO_REPO, pr_id):
            continue
        Entry(userId=user_id, repoId=DEMO_REPO, prId=pr_id, title=title, body=body, category=category,
              status=status, mergedAt=merged_at, publishedAt=merged_at if status == "published" else None,
              prUrl=f"https://github.com/{DEMO_REPO}/pull/{pr_id}", author=author, labels=labels).save()
        created += 1
    return user_id, created


def _demo_account_create():
    def create_django_user():
        user = get_user_model()(username="demo", email=DEMO_EMAIL)
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=DEMO_EMAIL, primary=True, verified=True)
        return user

    django_user, _ = account_signup(create_django_user=create_django_user, email=DEMO_EMAIL, location="intl")
    return django_user
