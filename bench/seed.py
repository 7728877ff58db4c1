"""The data ``bench/run.py`` measures on: a repository with 60 published entries (the pages, feed,
widget, upvotes), drafts to publish through the API, the GitHub repository the webhook deliveries
name, and two repositories of 10 and 10,000 published entries among a million other keys (the
cost must not depend on the size of the data). Runs in the bench process, through the records."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Account, User
from accounts.services import api_token_create
from changelog_site.kv.client import get_client
from entries.models import Entry
from repos.models import Repo

REPO, SMALL, LARGE = "bench-org/bench-app", "bench-org/small-app", "bench-org/large-app"
USER_ID = "user_benchrunabcdefghijklmnop"
WEBHOOK_SECRET = "bench-webhook-secret"
FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "github" / "webhooks" / \
    "pull_request.closed.merged.json"
BATCH = 500
BODY = """Adds **dark mode** across the app, following the system setting.

- Toggle in *Settings → Appearance*
- Respects `prefers-color-scheme`
- Fixes contrast of [links](https://example.com/docs) in code blocks

```css
:root { color-scheme: light dark; }
```
"""


@dataclass
class Seeded:
    token: str
    widget_id: str | None
    drafts: list
    warmup_drafts: list
    payload: dict


def _entries(repo_id, numbers, status):
    pipe = get_client().pipeline(transaction=False)
    ids = []
    for n in numbers:
        entry = Entry(userId=USER_ID, repoId=repo_id, prId=n, title=f"Dark mode, part {n}", body=BODY,
                      category=("New", "Fixed", "Improved", "Other")[n % 4], status=status,
                      mergedAt=f"20{24 + n // 10000 % 3}-{n % 12 + 1:02d}-{n % 27 + 1:02d}T{n % 24:02d}:00:00Z",
                      publishedAt="2026-03-10T10:00:00Z" if status == "published" else None,
                      prUrl=f"https://github.com/{repo_id}/pull/{n}", author="octocat", labels=["enhancement"])
        entry.save(pipe=pipe)
        ids.append(entry.id)
        if len(pipe) >= BATCH * 10:
            pipe.execute()
    pipe.execute()
    return ids


def _filler(count):
    """``count`` keys that are none of the product's (``bench:filler:…``)."""
    client = get_client()
    try:
        client.execute_command("DEBUG", "POPULATE", count, "bench:filler")
        return
    except Exception:  # DEBUG disabled (Redis 7 without enable-debug-command): write them
        pass
    pipe = client.pipeline(transaction=False)
    for n in range(count):
        pipe.set(f"bench:filler:{n}", "x")
        if len(pipe) >= 10000:
            pipe.execute()
    pipe.execute()


def seed(*, drafts, warmup_drafts, large=10000, filler=1_000_000):
    client = get_client()
    client.flushdb()
    call_command("migrate", verbosity=0)
    User(id=USER_ID, email="bench@example.com", plan="pro").save()
    payload = json.loads(FIXTURE.read_text())
    for name, github_id in ((REPO, 1296269), (SMALL, 1296270), (LARGE, 1296271),
                            (payload["repository"]["full_name"], payload["repository"]["id"])):
        Repo(userId=USER_ID, name=name, githubRepoId=github_id, connectedAt="2020-01-01T00:00:00Z").save()
    _entries(REPO, range(1, 61), "published")
    _entries(SMALL, range(1, 11), "published")
    _entries(LARGE, range(1, large + 1), "published")
    draft_ids = _entries(REPO, range(1000, 1000 + drafts + warmup_drafts), "draft")
    _filler(filler)
    django_user = get_user_model().objects.create_user(username="bench@example.com", email="bench@example.com")
    Account.objects.create(user=django_user, shiplog_user_id=USER_ID)
    _, token = api_token_create(django_user=django_user, name="bench")
    return Seeded(token=token, widget_id=_widget(), drafts=draft_ids[:drafts], warmup_drafts=draft_ids[drafts:],
                  payload=payload)


def _widget():
    """The repository's widget, when this tree has the widget."""
    try:
        from widget.models import WidgetConfig
    except ImportError:
        return None
    return WidgetConfig(userId=USER_ID, repoId=REPO).save().id


def signed_delivery(payload, number):
    """A merged-PR delivery for PR ``number``: ``(body, signature)``."""
    payload["pull_request"]["number"] = number
    body = json.dumps(payload, separators=(",", ":")).encode()
    return body, "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
