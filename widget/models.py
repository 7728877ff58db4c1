"""The widget's configuration and its counters: the collections widget owns."""

from datetime import datetime, timedelta, timezone
from typing import Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import Flag, HexColor, Id, Integer, JsonRecord, Timestamp, pointer_is_stale, utc_now
from changelog_site.kv.registry import Family, registry
from entries.models import STATUSES
from repos.models import related_repo_ids

POSITIONS = ("bottom-right", "bottom-left", "top-right", "top-left")
SIZES = ("small", "medium", "large")
DEFAULT_COLORS = {"primary": "#4f46e5", "background": "#ffffff", "text": "#111827"}
DEFAULT_OPTIONS = {"showDate": True, "showCategory": True, "showNewBadge": True}


@with_config(ConfigDict(extra="allow"))
class Colors(TypedDict):
    primary: HexColor
    background: HexColor
    text: HexColor


@with_config(ConfigDict(extra="allow"))
class Options(TypedDict):
    showDate: Flag
    showCategory: Flag
    showNewBadge: Flag


@registry.register
class WidgetConfig(JsonRecord):
    """``widget:{userId}:{repoId}``; ``idx:widget:{id}`` maps the public widget id to it.

    ``impressions`` and ``clicks`` stay in the JSON as the document has them, but the live
    numbers are the INCR counters in ``WidgetCounters``; ``with_live_counts`` copies them in.
    """

    kind = "widget"
    parent = "user"
    repo_scope = "user"
    key_names = ("widget",)
    index_names = ("idx_widget",)
    export_section = "widgets"
    ID_PREFIX = "wgt"

    id: Id
    userId: Id
    repoId: Id
    colors: Colors = Field(default_factory=lambda: dict(DEFAULT_COLORS))
    position: Literal[POSITIONS] = "bottom-right"
    size: Literal[SIZES] = "medium"
    options: Options = Field(default_factory=lambda: dict(DEFAULT_OPTIONS))
    impressions: Integer = 0
    clicks: Integer = 0
    createdAt: Timestamp = Field(default_factory=utc_now)
    updatedAt: Timestamp = Field(default_factory=utc_now)

    def key(self):
        return keys.widget(self.userId, self.repoId)

    def own_keys(self):
        return [self.key(), keys.idx_widget(self.id)]

    def add_to_indexes(self, pipe):
        pipe.set(keys.idx_widget(self.id), self.key())
        pipe.sadd(keys.idx_user_related_repos(self.userId), self.repoId)

    def remove_from_indexes(self, pipe):
        pipe.delete(keys.idx_widget(self.id))

    @classmethod
    def children_of(cls, user):
        return [widget for widget in (cls.get(user.id, repo_id) for repo_id in related_repo_ids(user.id)) if widget]

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return [keys.widget(user_id, repo_id)]

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        raw = reader.get(keys.widget(user_id, repo_id))
        return [] if raw is None else [cls.loads(raw)]

    def move(self, pipe, new_repo_id):
        pipe.delete(self.key())
        self.repoId = new_repo_id
        pipe.set(self.key(), self.dumps())
        self.add_to_indexes(pipe)

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

    def export(self):
        return self.with_live_counts().to_dict()

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        return pointer_is_stale(client, key)


@registry.register
class WidgetCounters(Family):
    """``widget:impressions:{widgetId}``, ``widget:clicks:{widgetId}`` and
    ``widget:entry:{widgetId}:{entryId}:clicks``: Redis integers, INCR'd; plus the per-day
    figures of ``stat:widget-day:{widgetId}:{day}`` (``keys.stat_widget_day``), counted in the
    same MULTI so the totals and the days always agree. Its family also holds the widget's
    disabled flag and cached public body; the per-entry counters are those of its repository's
    entries."""

    parent = "widget"
    key_names = ("widget_impressions", "widget_clicks", "widget_entry_clicks")
    export_section = "^"
    ENTRY_FIELD = "entry."

    def __init__(self, widget_id, entry_ids=()):
        self.widget_id = widget_id
        self.entry_ids = list(entry_ids)

    @classmethod
    def children_of(cls, widget):
        client = kv.get_client()
        entry_ids = [entry_id for status in STATUSES
                     for entry_id in client.zrange(keys.idx_repo_entries(widget.userId, widget.repoId, status), 0, -1)]
        return [cls(widget.id, entry_ids)]

    def own_keys(self):
        today = datetime.now(timezone.utc).date()
        return [keys.widget_impressions(self.widget_id), keys.widget_clicks(self.widget_id),
                keys.meta_widget_disabled(self.widget_id), keys.cache_widget_body(self.widget_id)] + [
            keys.widget_entry_clicks(self.widget_id, entry_id) for entry_id in self.entry_ids] + [
            keys.stat_widget_day(self.widget_id, (today - timedelta(days=back)).isoformat())
            for back in range(keys.WIDGET_STAT_DAYS + 1)]

    def delete(self, pipe=None, entry_ids=None):
        """Everything kept under the widget id; ``entry_ids`` adds those entries' click counters."""
        self.entry_ids += [entry_id for entry_id in entry_ids or () if entry_id not in self.entry_ids]
        super().delete(pipe)

    def _count_day(self, p, day, fields):
        key = keys.stat_widget_day(self.widget_id, (day or datetime.now(timezone.utc).date()).isoformat())
        for field in fields:
            p.hincrby(key, field, 1)
        p.expire(key, keys.WIDGET_STAT_DAYS * 24 * 3600)

    def impression(self, day=None, pipe=None):
        with kv.atomic(pipe) as p:
            p.incr(keys.widget_impressions(self.widget_id))
            self._count_day(p, day, ["impressions"])

    def click(self, entry_id=None, day=None, pipe=None):
        with kv.atomic(pipe) as p:
            p.incr(keys.widget_clicks(self.widget_id))
            if entry_id:
                p.incr(keys.widget_entry_clicks(self.widget_id, entry_id))
            self._count_day(p, day, ["clicks"] + ([self.ENTRY_FIELD + entry_id] if entry_id else []))

    def days(self, days):
        """``{day: {"impressions", "clicks", "entries": {entryId: clicks}}}`` for ``days`` (dates)."""
        pipe = kv.get_client().pipeline(transaction=False)
        for day in days:
            pipe.hgetall(keys.stat_widget_day(self.widget_id, day.isoformat()))
        figures = {}
        for day, raw in zip(days, pipe.execute()):
            figures[day] = {"impressions": int(raw.get("impressions", 0)), "clicks": int(raw.get("clicks", 0)),
                            "entries": {field[len(self.ENTRY_FIELD):]: int(value) for field, value in raw.items()
                                        if field.startswith(self.ENTRY_FIELD)}}
        return figures

    def totals(self):
        impressions, clicks = kv.get_client().mget(
            keys.widget_impressions(self.widget_id), keys.widget_clicks(self.widget_id))
        return {"impressions": int(impressions or 0), "clicks": int(clicks or 0)}

    def entry_clicks(self, entry_ids):
        if not entry_ids:
            return {}
        values = kv.get_client().mget([keys.widget_entry_clicks(self.widget_id, e) for e in entry_ids])
        return {entry_id: int(value or 0) for entry_id, value in zip(entry_ids, values)}

    def export(self):
        return {"entryClicks": self.entry_clicks(self.entry_ids)}


@registry.register
class EntryWidgetClicks(Family):
    """An entry's clicks in its repository's widget (``widget:entry:{widgetId}:{entryId}:clicks``),
    deleted with the entry."""

    parent = "entry"

    def __init__(self, widget_id, entry_id):
        self.widget_id, self.entry_id = widget_id, entry_id

    @classmethod
    def children_of(cls, entry):
        widget = WidgetConfig.get(entry.userId, entry.repoId)
        return [cls(widget.id, entry.id)] if widget else []

    def own_keys(self):
        return [keys.widget_entry_clicks(self.widget_id, self.entry_id)]
