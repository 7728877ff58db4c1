"""The embeddable widget: the owner's config, the public body readers fetch, their events.

Public body (``GET /api/widget/{widgetId}``, docs/widget.md): the JSON is built once and kept in
``cache:widget-body:{widgetId}`` together with the *version* it was built at: the repository's
changelog version (``cache:changelog-version:{repoId}``, which ``Entry.save``/``delete`` and
``changelog_invalidate`` bump in the same transaction as their write) and a digest of the
stored ``widget:{userId}:{repoId}`` JSON (which changes with any config write, ours or another
implementation's). A hit is one ``MGET`` of the index entry, the config, the changelog version,
the disabled flag and the cached body (plus a ``GET`` of the index the first time a process meets
the widget). A body whose version no longer matches is never served, so no publish, unpublish,
edit or config change can leave a stale one behind.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from django.conf import settings

from changelog_site import front
from changelog_site.domain import Conflict, Gone, NotFound
from changelog_site.kv import client as kv
from changelog_site.kv import hot, keys
from changelog_site.kv.records import ValidationError, iso, new_id, utc_now
from changelog_site.ratelimit import rate_limit_hit
from engagement import services as changelog
from entries.markdown import plain_text
from entries.models import STATUSES, Entry
from repos.models import Repo
from widget.analytics import days_back
from widget.models import WidgetConfig, WidgetCounters

ENTRY_LIMIT = 10
SUMMARY_LIMIT = 160
BODY_FORMAT = "1"  # bump when the body's shape changes: every cached body is rebuilt
EVENTS = ("impression", "click")
APPEARANCE = ("colors", "position", "size", "options")


class WidgetNotFound(NotFound):
    default_detail = "There is no widget with this id."


class WidgetDisabled(Gone):
    code = "widget_disabled"
    default_detail = "The owner of this widget has switched it off."


@dataclass
class PublicBody:
    etag: str
    body: bytes


# --- the owner's config ------------------------------------------------------------------------

def widget_repo_check(*, user_id, repo_id):
    """A widget belongs to a repository the user connected; anything else is a 404."""
    if Repo.get(user_id, repo_id) is None:
        raise NotFound("You have not connected this repository.")


def widget_get(*, user_id, repo_id):
    """The owner's widget for a connected repository, with live counters and its state."""
    widget_repo_check(user_id=user_id, repo_id=repo_id)
    widget = WidgetConfig.get(user_id, repo_id)
    if widget is None:
        raise NotFound("This repository has no widget yet; save one to create it.", code="widget_not_found")
    return widget.with_live_counts()


def widget_find(*, user_id, repo_id):
    """The owner's widget or None (no 404): for pages that offer to create one."""
    widget_repo_check(user_id=user_id, repo_id=repo_id)
    widget = WidgetConfig.get(user_id, repo_id)
    return widget.with_live_counts() if widget else None


def widget_enabled(*, widget_id):
    return not kv.get_client().exists(keys.meta_widget_disabled(widget_id))


def _merged_appearance(widget, changes):
    for name in APPEARANCE:
        value = changes.get(name)
        if value is None:
            continue
        if isinstance(value, dict):
            value = {**getattr(widget, name), **value}
        setattr(widget, name, value)


def widget_save(*, user_id, repo_id, changes):
    """Create or update the widget of a connected repository: ``changes`` may hold ``colors``,
    ``position``, ``size``, ``options`` (objects are merged into the current ones) and ``enabled``.
    Returns ``(widget, created)``. One WATCH/MULTI, so a concurrent save or regenerate is retried."""
    widget_repo_check(user_id=user_id, repo_id=repo_id)
    key = keys.widget(user_id, repo_id)

    def update(pipe):
        raw = pipe.get(key)
        widget = WidgetConfig.loads(raw) if raw else WidgetConfig(userId=user_id, repoId=repo_id)
        _merged_appearance(widget, changes)
        widget.updatedAt = iso(utc_now())
        widget.validate()
        pipe.multi()
        widget.save(pipe=pipe)
        if changes.get("enabled") is not None:
            _queue_enabled(pipe, widget.id, changes["enabled"])
        return widget, raw is None

    widget, created = kv.transaction(update, key)
    return widget.with_live_counts(), created


def _queue_enabled(pipe, widget_id, enabled):
    if enabled:
        pipe.delete(keys.meta_widget_disabled(widget_id))
    else:
        pipe.set(keys.meta_widget_disabled(widget_id), iso(utc_now()))


def widget_set_enabled(*, user_id, repo_id, enabled):
    widget = widget_get(user_id=user_id, repo_id=repo_id)
    with kv.atomic() as pipe:
        _queue_enabled(pipe, widget.id, enabled)
    return widget


def _entry_candidates(user_id, repo_id, day_figures):
    """Entry ids that may have widget clicks: the user's entries of the repository, the public
    listing's, and every entry clicked on a day still kept."""
    pipe = kv.get_client().pipeline(transaction=False)
    for status in STATUSES:
        pipe.zrange(keys.idx_repo_entries(user_id, repo_id, status), 0, -1)
    ids = {entry_id for batch in pipe.execute() for entry_id in batch}
    listing = changelog.changelog_listing(repo_id=repo_id)
    ids.update(row["id"] for row in (listing or {}).get("rows", []))
    for figures in day_figures.values():
        ids.update(figures["entries"])
    return sorted(ids)


def widget_regenerate(*, user_id, repo_id):
    """Give the widget a new public id: the old one answers 404 at once (the old snippet stops
    working). The counters, per-entry clicks, kept per-day figures and the disabled flag move to
    the new id in the same transaction, under WATCH, so a concurrent event is never lost."""
    current = widget_get(user_id=user_id, repo_id=repo_id)
    old = WidgetCounters(current.id)
    days = days_back(keys.WIDGET_STAT_DAYS)
    config_key = keys.widget(user_id, repo_id)
    day_keys = [keys.stat_widget_day(current.id, day.isoformat()) for day in days]

    def move(pipe):
        raw = pipe.get(config_key)
        widget = WidgetConfig.loads(raw) if raw else None
        if widget is None or widget.id != current.id:
            raise Conflict("The widget changed meanwhile; reload and try again.")
        figures = old.days(days)
        entry_ids = _entry_candidates(user_id, repo_id, figures)
        entry_keys = [keys.widget_entry_clicks(current.id, entry_id) for entry_id in entry_ids]
        if entry_keys:
            pipe.watch(*entry_keys)
        totals, entry_clicks = old.totals(), old.entry_clicks(entry_ids)
        disabled = kv.get_client().get(keys.meta_widget_disabled(current.id))
        widget.id = new_id(WidgetConfig.ID_PREFIX)
        widget.updatedAt = iso(utc_now())
        pipe.multi()
        old.delete(entry_ids=entry_ids, pipe=pipe)
        pipe.delete(keys.idx_widget(current.id))
        widget.save(pipe=pipe)
        _queue_copy(pipe, widget.id, totals, entry_clicks, figures, disabled)
        return widget

    watched = [config_key, keys.widget_impressions(current.id), keys.widget_clicks(current.id),
               keys.meta_widget_disabled(current.id), *day_keys]
    return kv.transaction(move, *watched).with_live_counts()


def _queue_copy(pipe, widget_id, totals, entry_clicks, figures, disabled):
    if totals["impressions"]:
        pipe.set(keys.widget_impressions(widget_id), totals["impressions"])
    if totals["clicks"]:
        pipe.set(keys.widget_clicks(widget_id), totals["clicks"])
    for entry_id, count in entry_clicks.items():
        if count:
            pipe.set(keys.widget_entry_clicks(widget_id, entry_id), count)
    for day, values in figures.items():
        fields = {name: values[name] for name in ("impressions", "clicks") if values[name]}
        fields.update({WidgetCounters.ENTRY_FIELD + entry_id: n for entry_id, n in values["entries"].items()})
        if fields:
            key = keys.stat_widget_day(widget_id, day.isoformat())
            pipe.hset(key, mapping=fields)
            pipe.expire(key, keys.WIDGET_STAT_DAYS * 24 * 3600)
    if disabled:
        pipe.set(keys.meta_widget_disabled(widget_id), disabled)


def widget_script_url():
    return settings.PUBLIC_BASE_URL + "/widget.js"


def widget_data_url(*, widget_id):
    return f"{settings.PUBLIC_BASE_URL}/api/widget/{widget_id}"


def widget_embed_snippet(*, widget_id):
    """The one tag an owner pastes into their site (loads asynchronously, never blocks the page)."""
    return f'<script src="{widget_script_url()}" data-widget-id="{widget_id}" async></script>'


# --- the public body ----------------------------------------------------------------------------

def _digest(*parts):
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _repo_of(config_key):
    collection, fields = keys.parse(config_key)
    if collection != "widget":
        raise WidgetNotFound()
    return fields["repo_id"]


def _build_body(widget, version):
    listing = changelog.changelog_listing(repo_id=widget.repoId, version=version, limit=ENTRY_LIMIT)
    if listing is None:  # nobody has the repository connected: there is no public changelog
        raise WidgetNotFound("This widget's changelog is not public any more.")
    rows = listing["rows"]
    entries = {entry.id: entry for entry in Entry.get_many_by_keys([row["key"] for row in rows])}
    branding = changelog.branding_get(repo_id=widget.repoId)
    return {
        "id": widget.id, "repoId": widget.repoId, "name": branding["name"],
        "changelogUrl": changelog.changelog_url(widget.repoId, absolute=True),
        "colors": widget.colors, "position": widget.position, "size": widget.size, "options": widget.options,
        "entries": [{"id": entry.id, "prId": entry.prId, "title": entry.title, "category": entry.category,
                     "publishedAt": iso(entry.publishedAt or entry.mergedAt),
                     "url": changelog.entry_url(entry.repoId, entry.prId, absolute=True),
                     "summary": plain_text(entry.public_text(), limit=SUMMARY_LIMIT)}
                    for entry in (entries.get(row["id"]) for row in rows) if entry],
    }


def widget_preview_body(*, widget):
    """The body the customizer's live preview shows, disabled or not (never cached, never counted)."""
    return _build_body(widget, changelog.changelog_version(repo_id=widget.repoId))


# widget id -> the ``widget:`` key its ``idx:widget:`` entry named when this process last looked.
# Only a hint: every request reads the index again in the same MGET and starts over when it
# changed (regenerated id, renamed repository), so it can never serve a wrong widget. It saves a
# cache hit one round trip; ``KNOWN_WIDGETS_MAX`` bounds it (cleared when full).
_known_config_keys = {}
KNOWN_WIDGETS_MAX = 10000


def widget_public_body(*, widget_id):
    """The public JSON of a widget: ``PublicBody`` (served from the cached body when its version
    still matches), or ``WidgetNotFound`` (unknown or regenerated id) / ``WidgetDisabled``.

    A cache hit is one round trip (one MGET) once this process has seen the widget, two the first
    time (``GET idx:widget:{id}`` first)."""
    client = kv.get_client()
    config_key = _known_config_keys.get(widget_id)
    for _ in range(3):
        if config_key is None:
            config_key = client.get(keys.idx_widget(widget_id))
            if config_key is None:
                _known_config_keys.pop(widget_id, None)
                raise WidgetNotFound()
        indexed, raw, changelog_version, disabled, cached = client.mget(_body_keys(widget_id, config_key))
        if indexed == config_key:
            break
        _known_config_keys.pop(widget_id, None)
        config_key = indexed
    else:
        raise WidgetNotFound()
    if raw is None:
        raise WidgetNotFound()
    if len(_known_config_keys) >= KNOWN_WIDGETS_MAX:
        _known_config_keys.clear()
    _known_config_keys[widget_id] = config_key
    if disabled is not None:
        raise WidgetDisabled()
    return _current_body(raw, changelog_version, cached) or _rebuild(widget_id, raw, changelog_version)


def _body_keys(widget_id, config_key):
    """What a cache hit reads in one MGET: the id's index entry, the config it names, the
    changelog's version, the disabled mark and the cached body."""
    return [keys.idx_widget(widget_id), config_key, keys.cache_changelog_version(_repo_of(config_key)),
            keys.meta_widget_disabled(widget_id), keys.cache_widget_body(widget_id)]


def _current_body(raw, changelog_version, cached):
    """The cached body when it was built from this config at this changelog version, else None."""
    if changelog_version and cached:
        head, _, body = cached.partition("\n")
        cached_version, _, etag = head.partition(" ")
        if cached_version == _digest(BODY_FORMAT, changelog_version, raw):
            return PublicBody(etag=etag, body=body.encode())
    return None


def widget_front_responder(*, widget_id):
    """The front door's responder for a widget's JSON (``changelog_site.front``): the same MGET
    as a cache hit above, on this thread's connection; None (Django answers) unless the cached
    body is current and the widget enabled."""
    def respond(environ, nonce):
        config_key = _known_config_keys.get(widget_id)
        if config_key is None:
            return None
        indexed, raw, changelog_version, disabled, cached = hot.command("MGET", *_body_keys(widget_id, config_key))
        if indexed != config_key or raw is None or disabled is not None:
            return None
        body = _current_body(raw, changelog_version, cached)
        return None if body is None else front.Reply(body=body.body, etag=body.etag)
    return respond


def _rebuild(widget_id, raw, changelog_version):
    widget = WidgetConfig.loads(raw)
    if widget.id != widget_id:  # a stale index entry: the id was regenerated
        raise WidgetNotFound()
    version = changelog_version or changelog.changelog_version(repo_id=widget.repoId)
    body = json.dumps(_build_body(widget, version), separators=(",", ":"), ensure_ascii=False)
    digest = _digest(BODY_FORMAT, version, raw)
    etag = '"w' + _digest(digest, body) + '"'
    kv.get_client().set(keys.cache_widget_body(widget_id), f"{digest} {etag}\n{body}", ex=keys.WIDGET_BODY_SECONDS)
    return PublicBody(etag=etag, body=body.encode())


# --- readers' events ----------------------------------------------------------------------------

def widget_event_parse(*, raw):
    """``{"event": "impression"}`` or ``{"event": "click", "entryId": "..."}`` from the beacon's
    bytes (JSON, whatever Content-Type ``sendBeacon`` gave them): ``(event, entry_id)``."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError({"body": "must be a JSON object"}) from error
    if not isinstance(data, dict):
        raise ValidationError({"body": "must be a JSON object"})
    event, entry_id = data.get("event"), data.get("entryId")
    if event not in EVENTS:
        raise ValidationError({"event": "must be one of 'impression', 'click'"})
    if event == "click" and (not isinstance(entry_id, str) or not _is_record_id(entry_id)):
        raise ValidationError({"entryId": "must be the id of an entry in the widget"})
    return event, entry_id if event == "click" else None


def _is_record_id(text):
    return 0 < len(text) <= 100 and all(ch.isalnum() or ch in "_-~." for ch in text)


def widget_track(*, widget_id, event, entry_id, ip_hash):
    """Count one reader event (rate-limited per IP): the document's INCR counters and the day's
    ``stat:`` figures, in one MULTI. A click must name an entry of the widget's repository."""
    limit, window = settings.RATE_LIMITS["widget-track"]
    rate_limit_hit(name="widget-track", subject=ip_hash, limit=limit, window_seconds=window)
    client = kv.get_client()
    config_key = client.get(keys.idx_widget(widget_id))
    if config_key is None:
        raise WidgetNotFound()
    pipe = client.pipeline(transaction=False)
    pipe.get(config_key)
    pipe.exists(keys.meta_widget_disabled(widget_id))
    if entry_id:
        pipe.get(keys.idx_entry(entry_id))
    raw, disabled, *entry_key = pipe.execute()
    if raw is None or json.loads(raw).get("id") != widget_id:
        raise WidgetNotFound()
    if disabled:
        raise WidgetDisabled()
    counters = WidgetCounters(widget_id)
    if event == "impression":
        counters.impression(day=datetime.now(timezone.utc).date())
        return
    collection, fields = keys.parse(entry_key[0] or "")
    if collection != "entry" or fields["repo_id"] != _repo_of(config_key):
        raise ValidationError({"entryId": "must be the id of an entry in the widget"})
    counters.click(entry_id=entry_id, day=datetime.now(timezone.utc).date())

