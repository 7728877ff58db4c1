"""The admin's widgets, with their live counters (docs/admin.md)."""

from django.contrib import admin

from changelog_site import kvadmin
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from repos.admin import related_repos
from widget.models import WidgetConfig, WidgetCounters
from widget.services import widget_set_enabled


def _set_enabled(row, enabled):
    widget_set_enabled(user_id=row.userId, repo_id=row.repoId, enabled=enabled)
    return f"{'Enabled' if enabled else 'Disabled'} the widget {row.id} of {row.repoId} ({row.userId})."


@kvadmin.row_action("Disable the widget (its public endpoints answer 410)")
def disable(modeladmin, request, row, options):
    if row.disabled:
        raise kvadmin.ActionRefused("it is disabled already.")
    return _set_enabled(row, False)


@kvadmin.row_action("Enable the widget")
def enable(modeladmin, request, row, options):
    if not row.disabled:
        raise kvadmin.ActionRefused("it is enabled already.")
    return _set_enabled(row, True)


@kvadmin.register(WidgetConfig, pk="key", verbose_name="widget")
class WidgetConfigAdmin(kvadmin.RecordAdmin):
    covers = (WidgetCounters,)
    list_display = ("id", "repoId", "userId", "enabled", "live_impressions", "live_clicks", "position", "size",
                    "updatedAt")
    search_fields = ("id", "repoId")
    search_help_text = "A widget id, a user id, an email address, a repository (owner/repo), or part of one."
    editable = ("colors", "position", "size", "options")
    hidden = ("impressions", "clicks")  # the JSON's copies; the live counters are the columns below
    actions = [disable, enable]
    detail_fields = ("enabled", "live_impressions", "live_clicks")

    def segments(self, parents, scope):
        if "widgetId" in scope:
            key = kv.get_client().get(keys.idx_widget(scope["widgetId"]))
            return [kvadmin.values([key] if key else [])]
        return [kvadmin.if_exists(keys.widget(user_id, repo_id), keys.widget(user_id, repo_id))
                for user_id, repo_id in related_repos([parent["userId"] for parent in parents], scope)]

    def annotate(self, rows):
        replies = kvadmin.pipelined([command for row in rows for command in (
            ("get", keys.widget_impressions(row.id)), ("get", keys.widget_clicks(row.id)),
            ("exists", keys.meta_widget_disabled(row.id)))])
        for index, row in enumerate(rows):
            impressions, clicks, disabled = replies[3 * index:3 * index + 3]
            row.counts, row.disabled = (int(impressions or 0), int(clicks or 0)), bool(disabled)

    @admin.display(description="enabled", boolean=True)
    def enabled(self, row):
        return not row.disabled

    @admin.display(description="impressions (live)")
    def live_impressions(self, row):
        return row.counts[0]

    @admin.display(description="clicks (live)")
    def live_clicks(self, row):
        return row.counts[1]
