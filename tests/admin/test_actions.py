"""Each admin action runs its domain service and writes the admin log (who, and what it did)."""

import json
from datetime import date, timedelta

import pytest
import responses
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core import mail

from billing import staff as billing_staff
from billing.models import Usage, current_month
from github_sync.models import WebhookDelivery
from tests.admin.conftest import ALICE, BOB, BOB_ENTRY, ENTRY, OTHER_REPO, PENDING, REPO, ROADMAP, SUBSCRIBER, WIDGET
from tests.conftest import load_fixture

pytestmark = pytest.mark.django_db

USERS = "/admin/billing/user/"


def act(client, changelist, action, *pks, **fields):
    return client.post(changelist, {"action": action, "_selected_action": list(pks), "index": 0, **fields},
                       follow=True)


def said(response):
    return " ".join(str(message) for message in response.context["messages"])


def plan(redis_db, user_id):
    return json.loads(redis_db.get(f"user:{user_id}"))["plan"]


def logged(object_id):
    entry = LogEntry.objects.get(object_id=object_id)
    return entry.user.username, entry.action_flag, entry.get_change_message()


def paying(redis_db, user_id):
    redis_db.set(f"meta:dodo-subscription:{user_id}", json.dumps({"subscriptionId": "sub_2NNE", "status": "active"}))


def test_staff_grant_pro_until_a_date_and_it_ends_then(client, keyspace, staff):
    last_day = date.today() + timedelta(days=30)

    response = act(client, USERS, "grant_pro", BOB, until=last_day.isoformat())

    assert plan(keyspace, BOB) == "pro"
    assert f"until {last_day.isoformat()}" in said(response)
    assert logged(BOB) == ("root", CHANGE, f"Granted Pro to bob@example.com until {last_day.isoformat()}.")
    grant = json.loads(keyspace.get(f"meta:pro-grant:{BOB}"))
    assert (grant["grantedBy"], grant["until"][:10]) == ("root", (last_day + timedelta(days=1)).isoformat())
    assert "granted by root, ends" in client.get(USERS).content.decode()

    assert billing_staff.pro_grants_expire(now=0) == []
    assert billing_staff.pro_grants_expire(now=4102444800) == [BOB]
    assert plan(keyspace, BOB) == "free" and keyspace.get(f"meta:pro-grant:{BOB}") is None


def test_a_grant_ending_leaves_a_paying_user_on_pro(client, keyspace, staff):
    paying(keyspace, ALICE)
    act(client, USERS, "grant_pro", ALICE, until=date.today().isoformat())

    assert billing_staff.pro_grants_expire(now=4102444800) == []
    assert plan(keyspace, ALICE) == "pro" and keyspace.zcard("meta:pro-grants-ending") == 0


def test_a_grant_without_a_date_lasts_until_removed(client, keyspace, staff):
    act(client, USERS, "grant_pro", BOB)

    assert plan(keyspace, BOB) == "pro" and keyspace.zcard("meta:pro-grants-ending") == 0
    assert logged(BOB)[2] == "Granted Pro to bob@example.com until removed."


def test_a_grant_ending_in_the_past_is_refused(client, keyspace, staff):
    response = act(client, USERS, "grant_pro", BOB, until="2020-01-01")

    assert "must be today or later" in said(response)
    assert plan(keyspace, BOB) == "free" and not LogEntry.objects.exists()


def test_staff_remove_pro_and_hear_that_dodo_still_bills(client, keyspace, staff):
    paying(keyspace, ALICE)

    response = act(client, USERS, "remove_pro", ALICE)

    assert plan(keyspace, ALICE) == "free"
    assert "next renewal sets Pro again" in said(response)
    assert logged(ALICE)[2].startswith("Moved alice@example.com to the free plan.")


def test_staff_reset_this_months_usage(client, keyspace, staff):
    act(client, USERS, "reset_usage", ALICE)

    assert Usage(ALICE).get() == {"entriesPublished": 0, "aiRewrites": 0}
    assert logged(ALICE)[2] == f"Reset the {current_month()} usage of alice@example.com."


def test_deleting_a_user_is_the_gdpr_deletion(client, keyspace, staff):
    page = client.post(USERS, {"action": "delete_selected", "_selected_action": [BOB]})
    assert "everything of theirs" in page.content.decode()

    client.post(USERS, {"action": "delete_selected", "_selected_action": [BOB], "post": "yes"})

    assert keyspace.get(f"user:{BOB}") is None and keyspace.get(f"entry:{BOB}:{OTHER_REPO}:7") is None
    assert keyspace.get(f"repo:{BOB}:{OTHER_REPO}") is None and not keyspace.sismember("idx:users", BOB)
    assert not get_user_model().objects.filter(email="bob@example.com").exists()
    assert logged(BOB)[:2] == ("root", DELETION)
    assert keyspace.get(f"user:{ALICE}") is not None


def test_a_user_can_be_deleted_from_their_page(client, keyspace, staff):
    response = client.post(f"{USERS}{BOB}/delete/", {"post": "yes"})

    assert response.status_code == 302 and keyspace.get(f"user:{BOB}") is None


def test_staff_unpublish_an_entry(client, keyspace, staff):
    response = act(client, "/admin/entries/entry/", "unpublish", ENTRY, BOB_ENTRY)

    assert json.loads(keyspace.get(f"entry:{ALICE}:{REPO}:42"))["status"] == "draft"
    assert "it is a draft already" in said(response)
    assert logged(ENTRY)[2].startswith("Unpublished “Dark mode everywhere”")
    assert not LogEntry.objects.filter(object_id=BOB_ENTRY).exists()


def test_staff_disable_and_enable_a_widget(client, keyspace, staff):
    widgets, pk = "/admin/widget/widgetconfig/", f"widget:{ALICE}:{REPO}"

    act(client, widgets, "disable", pk)
    assert client.get(f"/api/widget/{WIDGET}").status_code == 410
    act(client, widgets, "enable", pk)

    assert client.get(f"/api/widget/{WIDGET}").status_code == 200
    assert [entry.change_message for entry in LogEntry.objects.order_by("id")] == [
        f"Disabled the widget {WIDGET} of {REPO} ({ALICE}).", f"Enabled the widget {WIDGET} of {REPO} ({ALICE})."]


def test_staff_resend_a_pending_subscribers_confirmation(client, keyspace, staff):
    subscribers = "/admin/engagement/subscriber/"

    response = act(client, subscribers, "resend_confirmation", f"subscriber:{REPO}:{PENDING}",
                   f"subscriber:{REPO}:{SUBSCRIBER}")

    assert [message.to for message in mail.outbox] == [[PENDING]]
    assert "/subscriptions/confirm/" in mail.outbox[0].body
    assert "confirmed already" in said(response)
    assert logged(f"subscriber:{REPO}:{PENDING}")[2] == f"Sent the confirmation email to {PENDING} ({REPO}) again."


@responses.activate
def test_staff_rerun_a_repositorys_backfill(client, keyspace, staff):
    responses.get(f"https://github.test/api/repos/{REPO}/pulls", json=load_fixture("github/rest/pulls.list.json"))

    response = act(client, "/admin/repos/repo/", "rerun_backfill", f"repo:{ALICE}:{REPO}")

    assert f"Queued the import of past PRs of {REPO}." in said(response)
    assert keyspace.hget(f"meta:backfill:{REPO}", "state") == "done"
    assert logged(f"repo:{ALICE}:{REPO}")[2] == f"Queued the import of past PRs of {REPO}."


def test_a_backfill_nobody_can_run_says_why(client, keyspace, staff):
    response = act(client, "/admin/repos/repo/", "rerun_backfill", f"repo:{BOB}:{OTHER_REPO}")

    assert "has a GitHub token" in said(response) and not LogEntry.objects.exists()
    assert keyspace.hget(f"meta:backfill:{OTHER_REPO}", "errorCode") == "github_not_connected"


@responses.activate
def test_staff_rerun_a_roadmap_sync_from_a_repository_or_an_item(client, keyspace, staff):
    responses.get(f"https://github.test/api/repos/{REPO}/issues",
                  json=load_fixture("github/rest/issues.list-for-repo.json"))
    responses.get(f"https://github.test/api/repos/{REPO}/issues/12", status=404, json={"message": "Not Found"})

    from_item = act(client, "/admin/roadmap/roadmapitem/", "rerun_roadmap_sync", ROADMAP)
    from_repo = act(client, "/admin/repos/repo/", "rerun_roadmap_sync", f"repo:{ALICE}:{REPO}")

    assert f"Queued the roadmap sync of {REPO}." in said(from_item) and said(from_repo) == said(from_item)
    assert keyspace.hget("meta:roadmap-sync:5001", "state") == "done"
    assert keyspace.get(f"roadmap:{ALICE}:{REPO}:12") is None  # GitHub no longer has issue 12
    assert LogEntry.objects.filter(change_message=f"Queued the roadmap sync of {REPO}.").count() == 2


def test_staff_retry_and_discard_failed_inbox_deliveries(client, keyspace, staff):
    ping = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    failed = WebhookDelivery.objects.create(delivery_id="d-failed", event="ping", body=ping, body_size=len(ping),
                                            state=WebhookDelivery.FAILED, last_error="redis: gone")
    broken = WebhookDelivery.objects.create(delivery_id="d-broken", event="ping", body=b"{", body_size=1,
                                            state=WebhookDelivery.FAILED, last_error="not JSON")
    inbox = "/admin/github_sync/webhookdelivery/"

    act(client, inbox, "retry_delivery", failed.pk)
    act(client, inbox, "discard_delivery", broken.pk)

    failed.refresh_from_db()
    assert failed.state == WebhookDelivery.PROCESSED and failed.attempts == 1
    assert not WebhookDelivery.objects.filter(pk=broken.pk).exists()
    assert logged(str(failed.pk))[2] == "Queued delivery d-failed (ping) for processing again."
    assert logged(str(broken.pk))[:2] == ("root", DELETION)


def test_an_action_runs_from_a_records_own_page_and_comes_back(client, keyspace, staff):
    page = f"{USERS}{quote(BOB)}/change/"
    assert 'value="grant_pro"' in client.get(page).content.decode()

    response = client.post(USERS, {"action": "reset_usage", "_selected_action": BOB, "index": 0,
                                   "kv_from_object": page})

    assert response.status_code == 302 and response["Location"] == page
    assert logged(BOB)[2].startswith("Reset the")
