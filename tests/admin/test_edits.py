"""Change forms validate through the record classes and write through the storage service; each
change is in Django's admin log."""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import quote

from tests.admin.conftest import ALICE, ENTRY, REPO, ROADMAP, WIDGET

pytestmark = pytest.mark.django_db

ENTRY_URL = f"/admin/entries/entry/{ENTRY}/change/"
WIDGET_URL = f"/admin/widget/widgetconfig/{quote(f'widget:{ALICE}:{REPO}')}/change/"
SOCIAL_URL = f"/admin/entries/socialpost/{quote(f'social:{ALICE}:{ENTRY}:twitter')}/change/"


def form_of(client, url):
    """The change form's current values, as the browser would post them back."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, (list, dict)):
            value = field.prepare_value(value)
        data[name] = "" if value is None else value
    return data


def everything(redis_db):
    """The whole keyspace, byte for byte (a test may scan)."""
    return {key: redis_db.dump(key) for key in redis_db.keys("*")}


def test_an_edit_is_validated_saved_through_the_record_and_logged(client, keyspace, staff):
    data = form_of(client, ENTRY_URL)
    data.update(title="Dark mode, everywhere", labels="enhancement\nui")

    response = client.post(ENTRY_URL, data)

    assert response.status_code == 302
    stored = json.loads(keyspace.get(f"entry:{ALICE}:{REPO}:42"))
    assert (stored["title"], stored["labels"], stored["status"]) == ("Dark mode, everywhere", ["enhancement", "ui"],
                                                                      "published")
    assert stored["mergedAt"] == "2026-03-09T12:00:00Z" and stored["aiRewrite"] is None
    assert keyspace.smembers(f"meta:entry-edited:{ENTRY}") == {"title"}
    entry = LogEntry.objects.get(object_id=ENTRY)
    assert (entry.user, entry.action_flag, entry.get_change_message().lower()) == (staff, CHANGE,
                                                                                   "changed title and labels.")


def test_an_edit_that_fails_validation_leaves_redis_untouched(client, keyspace, staff):
    data = form_of(client, ENTRY_URL)
    data.update(title="x" * 301, category="Breaking")
    before = everything(keyspace)

    response = client.post(ENTRY_URL, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"title", "category"}
    assert everything(keyspace) == before and not LogEntry.objects.exists()


def test_the_record_class_is_the_validator_behind_the_form(client, keyspace, staff):
    data = form_of(client, WIDGET_URL)
    data["colors"] = json.dumps({"primary": "red", "background": "#ffffff", "text": "#111827"})
    before = everything(keyspace)

    response = client.post(WIDGET_URL, data)

    assert response.status_code == 200
    assert "must be a hex color" in str(response.context["adminform"].form.errors["colors"])
    assert everything(keyspace) == before


def test_a_social_post_is_held_to_the_platforms_length_rules(client, keyspace, staff):
    data = form_of(client, SOCIAL_URL)
    data["tweets"] = "word " * 80
    before = everything(keyspace)

    response = client.post(SOCIAL_URL, data)

    assert response.status_code == 200 and "post 1" in str(response.context["adminform"].form.errors["tweets"])
    assert everything(keyspace) == before


def test_a_form_opened_before_someone_else_saved_is_refused(client, keyspace, staff):
    data = form_of(client, ENTRY_URL)
    record = json.loads(keyspace.get(f"entry:{ALICE}:{REPO}:42"))
    keyspace.set(f"entry:{ALICE}:{REPO}:42", json.dumps({**record, "body": "The owner's newer text."}))
    data["title"] = "Staff title"

    response = client.post(ENTRY_URL, data)

    assert response.status_code == 200 and "changed since the form was opened" in response.content.decode()
    assert json.loads(keyspace.get(f"entry:{ALICE}:{REPO}:42"))["title"] == "Dark mode everywhere"


def test_a_widget_edit_keeps_its_counters_and_stamps_updated_at(client, keyspace, staff):
    data = form_of(client, WIDGET_URL)
    data["position"] = "top-left"

    assert client.post(WIDGET_URL, data).status_code == 302

    stored = json.loads(keyspace.get(f"widget:{ALICE}:{REPO}"))
    assert (stored["id"], stored["position"]) == (WIDGET, "top-left") and stored["updatedAt"] > "2026-01-20"
    assert keyspace.get(f"widget:impressions:{WIDGET}") == "120"


def test_a_roadmap_status_set_by_staff_is_kept_as_the_manual_status(client, keyspace, staff):
    url = f"/admin/roadmap/roadmapitem/{ROADMAP}/change/"
    data = form_of(client, url)
    data["status"] = "in-progress"

    assert client.post(url, data).status_code == 302

    assert json.loads(keyspace.get(f"roadmap:{ALICE}:{REPO}:12"))["status"] == "in-progress"
    assert keyspace.hget(f"meta:roadmap-item:{ROADMAP}", "manual") == "in-progress"
    assert LogEntry.objects.get(object_id=ROADMAP).get_change_message().lower() == "changed status."


def test_read_only_collections_offer_no_save_button(client, keyspace, staff):
    page = client.get(f"/admin/engagement/entryupvotes/{ENTRY}/change/").content.decode()

    assert 'name="_save"' not in page and "Dark mode everywhere" in page
