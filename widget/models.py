"""The widget's configuration and its counters: the collections widget owns."""

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Field, JsonRecord, iso, utc_now
from entries.models import new_id

POSITIONS = ("bottom-right", "bottom-left", "top-right", "top-left")
SIZES = ("small", "medium", "large")

COLORS = {
    "primary": Field("color", default="#4f46e5"),
    "background": Field("color", default="#ffffff"),
    "text": Field("color", default="#111827"),
}
OPTIONS = {
    "showDate": Field(bool, default=True),
    "showCategory": Field(bool, default=True),
    "showNewBadge": Field(bool, default=True),
}


def defaults_of(schema):
    return {name: field.initial() for name, field in schema.items()}


class WidgetConfig(JsonRecord):
    """``widget:{userId}:{repoId}``; ``idx:widget:{id}`` maps the public widget id to it.

    ``impressions`` and ``clicks`` stay in the JSON as the document has them, but the live
    numbers are the INCR counters in ``WidgetCounters``; ``with_live_counts`` copies them in.
    """

    id = Field(str, min_length=1)
    userId = Field(str, min_length=1)
    repoId = Field(str, min_length=1)
    colors = Field(COLORS, default=lambda: defaults_of(COLORS))
    position = Field(str, choices=POSITIONS, default="bottom-right")
    size = Field(str, choices=SIZES, default="medium")
    options = Field(OPTIONS, default=lambda: defaults_of(OPTIONS))
    impressions = Field(int, default=0)
    clicks = Field(int, default=0)
    createdAt = Field("datetime", default=lambda: iso(utc_now()))
    updatedAt = Field("datetime", default=lambda: iso(utc_now()))

    def __init__(self, **values):
        super().__init__(**values)
        if not self.id:
            self.id = new_id("wgt")

    def key(self):
        return keys.widget(self.userId, self.repoId)

    def add_to_indexes(self, pipe):
        pipe.set(keys.idx_widget(self.id), self.key())
        pipe.sadd(keys.idx_user_related_repos(self.userId), self.repoId)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_widget(self.id))

    @classmethod
    def get(cls, user_id, repo_id):
        return cls.get_by_key(keys.widget(user_id, repo_id))

    @classmethod
    def get_by_id(cls, widget_id):
        key = kv.get_client().get(keys.idx_widget(widget_id))
        return None if key is None else cls.get_by_key(key)

    def with_live_counts(self):
        counts = WidgetCounters(self.id).totals()
        self.impressions, self.clicks = counts["impressions"], counts["clicks"]
        return self


class WidgetCounters:
    """``widget:impressions:{widgetId}``, ``widget:clicks:{widgetId}`` and
    ``widget:entry:{widgetId}:{entryId}:clicks``: Redis integers, INCR'd."""

    def __init__(self, widget_id):
        self.widget_id = widget_id

    def impression(self, pipe=None):
        with kv.atomic(pipe) as p:
            p.incr(keys.widget_impressions(self.widget_id))

    def click(self, entry_id=None, pipe=None):
        with kv.atomic(pipe) as p:
            p.incr(keys.widget_clicks(self.widget_id))
            if entry_id:
                p.incr(keys.widget_entry_clicks(self.widget_id, entry_id))

    def totals(self):
        impressions, clicks = kv.get_client().mget(
            keys.widget_impressions(self.widget_id), keys.widget_clicks(self.widget_id))
        return {"impressions": int(impressions or 0), "clicks": int(clicks or 0)}

    def entry_clicks(self, entry_ids):
        if not entry_ids:
            return {}
        values = kv.get_client().mget([keys.widget_entry_clicks(self.widget_id, e) for e in entry_ids])
        return {entry_id: int(value or 0) for entry_id, value in zip(entry_ids, values)}

    def delete(self, entry_ids=(), pipe=None):
        with kv.atomic(pipe) as p:
            p.delete(keys.widget_impressions(self.widget_id), keys.widget_clicks(self.widget_id))
            for entry_id in entry_ids:
                p.delete(keys.widget_entry_clicks(self.widget_id, entry_id))
