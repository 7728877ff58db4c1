import json

import pytest

from changelog_site.kv.records import ValidationError
from widget.models import WidgetConfig, WidgetCounters
from tests.factories import make_user, make_widget


def test_it_stores_a_widget_config_as_the_documents_json(redis_db):
    user = make_user()
    widget = make_widget(user, repo_id="acme/api", position="top-left", size="small",
                         createdAt="2026-03-09T12:00:00Z", updatedAt="2026-03-09T12:00:00Z")

    raw = json.loads(redis_db.get(f"widget:{user.id}:acme/api"))

    assert raw == {"id": widget.id, "userId": user.id, "repoId": "acme/api",
                   "colors": {"primary": "#4f46e5", "background": "#ffffff", "text": "#111827"},
                   "position": "top-left", "size": "small",
                   "options": {"showDate": True, "showCategory": True, "showNewBadge": True},
                   "impressions": 0, "clicks": 0,
                   "createdAt": "2026-03-09T12:00:00Z", "updatedAt": "2026-03-09T12:00:00Z"}
    assert WidgetConfig.get_by_id(widget.id) == widget


@pytest.mark.parametrize("field, value", [("position", "center"), ("size", "huge"),
                                          ("colors", {"primary": "red", "background": "#fff", "text": "#000"}),
                                          ("options", {"showDate": "yes", "showCategory": True, "showNewBadge": True})])
def test_it_rejects_invalid_widget_settings(redis_db, field, value):
    user = make_user()

    with pytest.raises(ValidationError) as error:
        make_widget(user, **{field: value})

    assert field in error.value.errors
    assert redis_db.keys("widget:*") == [] and redis_db.keys("idx:widget:*") == []


def test_it_counts_impressions_and_clicks_as_redis_integers(redis_db):
    widget = make_widget(make_user())
    counters = WidgetCounters(widget.id)

    counters.impression()
    counters.impression()
    counters.click(entry_id="ent_1")

    assert redis_db.get(f"widget:impressions:{widget.id}") == "2"
    assert redis_db.get(f"widget:clicks:{widget.id}") == "1"
    assert redis_db.get(f"widget:entry:{widget.id}:ent_1:clicks") == "1"
    assert widget.with_live_counts().impressions == 2
    assert counters.entry_clicks(["ent_1", "ent_2"]) == {"ent_1": 1, "ent_2": 0}


def test_it_unindexes_a_deleted_widget(redis_db):
    widget = make_widget(make_user())

    widget.delete()

    assert WidgetConfig.get_by_id(widget.id) is None
    assert redis_db.keys("widget:*") == [] and redis_db.keys("idx:widget:*") == []
