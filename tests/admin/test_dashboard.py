"""The admin's index page opens with the totals, each counted from an index or counter."""

import json
import re
from datetime import datetime, timezone

import pytest

from billing.admin import published_this_month_total
from github_sync.models import WebhookDelivery
from tests.admin.conftest import ALICE, PENDING, REPO, SUBSCRIBER
from tests.webhook_helpers import SECRET, deliver

pytestmark = pytest.mark.django_db


def figures(page):
    found = re.findall(r'class="kv-value">(\d+)</span><span class="kv-label">([^<]+)<', page)
    return {label: int(value) for value, label in found}


def test_the_index_shows_the_totals(client, keyspace, staff, settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    keyspace.hset(f"meta:subscriber:{REPO}:{SUBSCRIBER}", "lastSentAt", now)
    keyspace.hset(f"meta:subscriber:{REPO}:{PENDING}", "lastSentAt", "2020-01-06T10:00:00Z")
    assert deliver(client, "ping", {"zen": "Design for failure.", "hook_id": 1}).status_code == 200
    WebhookDelivery.objects.create(delivery_id="d-1", event="ping", body=b"{}", state=WebhookDelivery.PENDING)
    WebhookDelivery.objects.create(delivery_id="d-2", event="ping", body=b"{}", state=WebhookDelivery.FAILED)

    page = client.get("/admin/").content.decode()

    assert figures(page) == {"users": 2, "Pro users": 1, "entries published this month": 4,
                             "webhooks received today": 3, "inbox deliveries waiting": 1,
                             "inbox deliveries failed": 1, "subscribers emailed this week": 1}
    assert 'href="/admin/github_sync/webhookdelivery/?state__exact=failed"' in page


def test_entries_published_this_month_reads_the_documents_plain_json_usage(keyspace):
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    keyspace.delete(f"usage:{ALICE}:{month}")
    keyspace.set(f"usage:{ALICE}:{month}", json.dumps({"entriesPublished": 6, "aiRewrites": 0}))

    assert published_this_month_total() == 6


def test_a_staff_member_sees_the_totals_of_what_they_may_view(client, keyspace, limited_staff):
    limited_staff("entries.view_entry")

    assert figures(client.get("/admin/").content.decode()) == {"entries published this month": 4}
