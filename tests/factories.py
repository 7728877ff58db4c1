"""Builders for records with realistic defaults; pass a field to override it.

``make_account`` is the one way tests get a Shiplog account (what signup makes: the Django user, the
``Account`` link and the ``user:`` record); ``make_user`` builds a ``user:`` record alone, for code that
never looks at the Django side (webhooks, public pages, tasks).
"""

import itertools
from typing import NamedTuple

from django.contrib.auth import get_user_model

from accounts.models import User
from accounts.services import account_signup, api_token_create
from engagement.models import Subscriber
from entries.models import Entry, SocialPost
from repos.models import GitHubToken, Repo
from roadmap.models import RoadmapItem
from widget.models import WidgetConfig

_numbers = itertools.count(1)

PASSWORD = "correct horse battery"
GITHUB_TOKEN = "gho_plaintextTokenForTests0123456789"


class MadeAccount(NamedTuple):
    record: User
    django_user: object
    headers: dict  # the bearer header of an API token, for the test client; {} without one


def make_account(*, email=None, location="intl", github_token=None, api_token=True, **fields):
    """A signed-up account, made by ``account_signup`` as the signup form makes it.

    ``fields`` change the ``user:`` record afterwards (``plan="pro"``); ``github_token`` stores a
    GitHub token; ``api_token=False`` leaves the account without an API token (tests that count them).
    The Django user's username is the email and its password ``PASSWORD``.
    """
    email = email or f"dev{next(_numbers)}@example.com"

    def create_django_user():
        return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)

    django_user, record = account_signup(create_django_user=create_django_user, email=email, location=location)
    if fields:
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()
    if github_token:
        GitHubToken(record.id).set(github_token)
    headers = {}
    if api_token:
        _, token = api_token_create(django_user=django_user, name="tests")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return MadeAccount(record, django_user, headers)


def make_user(**fields):
    n = next(_numbers)
    values = {"id": f"user_test{n:04d}abcdefghijklmnopq", "email": f"dev{n}@example.com", "plan": "free",
              "createdAt": "2026-03-09T12:00:00Z", "location": "intl"}
    values.update(fields)
    return User(**values).save()


def make_repo(user, name="octo-org/octo-repo", **fields):
    values = {"userId": user.id, "name": name, "githubRepoId": 1296269 + next(_numbers),
              "isPrivate": False, "connectedAt": "2026-03-09T12:00:00Z", "webhookId": 12345678}
    values.update(fields)
    return Repo(**values).save()


def make_entry(user, repo_id="octo-org/octo-repo", pr_id=None, **fields):
    pr_id = pr_id or next(_numbers)
    values = {"userId": user.id, "repoId": repo_id, "prId": pr_id, "title": f"Add dark mode #{pr_id}",
              "body": "Adds a dark theme.", "category": "New", "status": "draft",
              "mergedAt": f"2026-03-{(pr_id % 27) + 1:02d}T10:00:00Z",
              "prUrl": f"https://github.com/{repo_id}/pull/{pr_id}", "author": "octocat",
              "aiRewrite": None, "labels": ["enhancement"]}
    values.update(fields)
    return Entry(**values).save()


def make_social(user, entry, platform="twitter", **fields):
    values = {"entryId": entry.id, "userId": user.id, "platform": platform, "hashtags": ["changelog"],
              "createdAt": "2026-03-09T12:00:00Z"}
    values.update({"tweets": ["We shipped dark mode!"]} if platform == "twitter" else {"post": "We shipped dark mode."})
    values.update(fields)
    return SocialPost(**values).save()


def make_widget(user, repo_id="octo-org/octo-repo", **fields):
    values = {"userId": user.id, "repoId": repo_id}
    values.update(fields)
    return WidgetConfig(**values).save()


def make_subscriber(repo_id="octo-org/octo-repo", email="reader@example.com", **fields):
    values = {"email": email, "repoId": repo_id, "confirmToken": "tok_" + email.split("@")[0]}
    values.update(fields)
    return Subscriber(**values).save()


def make_roadmap_item(user, repo_id="octo-org/octo-repo", issue_id=None, **fields):
    issue_id = issue_id or next(_numbers)
    values = {"userId": user.id, "repoId": repo_id, "issueId": issue_id, "title": f"Support SSO #{issue_id}",
              "body": "SAML please", "status": "planned", "githubIssueUrl": f"https://github.com/{repo_id}/issues/{issue_id}",
              "labels": ["enhancement"]}
    values.update(fields)
    return RoadmapItem(**values).save()
