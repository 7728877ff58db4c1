"""Only staff reach the admin, and a staff member sees only the collections they may view."""

import pytest
from django.contrib.admin.models import LogEntry

from tests.admin.conftest import ALICE, BOB, ENTRY

pytestmark = pytest.mark.django_db


def test_only_staff_reach_the_admin(client, keyspace, django_user_model):
    member = django_user_model.objects.create_user("member", "member@example.com", "pw-member-123")
    client.force_login(member)

    for url in ("/admin/", "/admin/billing/user/", f"/admin/entries/entry/{ENTRY}/change/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_a_staff_member_sees_only_the_collections_they_may_view(client, keyspace, limited_staff):
    limited_staff("entries.view_entry")

    index = client.get("/admin/").content.decode()

    assert "/admin/entries/entry/" in index
    assert "/admin/billing/user/" not in index and "/admin/engagement/subscriber/" not in index
    assert client.get("/admin/entries/entry/").status_code == 200
    assert client.get("/admin/billing/user/").status_code == 403
    assert client.get(f"/admin/billing/user/{ALICE}/change/").status_code == 403


def test_viewing_is_not_changing(client, keyspace, limited_staff):
    limited_staff("billing.view_user")

    changelist = client.get("/admin/billing/user/").content.decode()
    page = client.get(f"/admin/billing/user/{ALICE}/change/").content.decode()
    refused = client.post("/admin/billing/user/", {"action": "grant_pro", "_selected_action": [BOB], "index": 0})

    assert 'value="grant_pro"' not in changelist and 'name="_save"' not in page
    assert refused.status_code in (200, 302) and '"plan":"free"' in keyspace.get(f"user:{BOB}")
    assert not LogEntry.objects.exists()


def test_deleting_a_user_takes_the_delete_permission(client, keyspace, limited_staff):
    limited_staff("billing.view_user", "billing.change_user")

    changelist = client.get("/admin/billing/user/").content.decode()

    assert 'value="grant_pro"' in changelist and 'value="delete_selected"' not in changelist
    assert client.post(f"/admin/billing/user/{BOB}/delete/", {"post": "yes"}).status_code == 403
    assert keyspace.get(f"user:{BOB}") is not None
