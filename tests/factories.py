"""Builders for records with realistic defaults; pass a field to override it."""

import itertools

from billing.models import User
from engagement.models import Subscriber
from entries.models import Entry, SocialPost
from repos.models import Repo
from roadmap.models import RoadmapItem
from widget.models import WidgetConfig

_numbers = itertools.count(1)


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
