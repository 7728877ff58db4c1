"""The admin's subscribers, page views and entry upvotes (docs/admin.md)."""

from datetime import date, timedelta

from django.contrib import admin

from accounts.admin import user_ids
from changelog_site import kvadmin
from changelog_site.kv import keys
from changelog_site.kv.records import parse_iso, utc_now
from engagement import subscriptions
from engagement.models import EntryUpvotes, PageViews, Subscriber
from engagement.tasks import confirmation_send_task

COUNT = kvadmin.Kind("integer", False)


def repo_names(scope):
    """The repositories a scope names: one, or those connected by the scope's users (all users'
    without one). A repository's subscribers live as long as someone has it connected."""
    if "repoId" in scope:
        return [scope["repoId"]]
    ids = user_ids({name: value for name, value in scope.items() if name != "email"})
    ids = ids if ids is not None else sorted(kvadmin.pipelined([("smembers", keys.idx_users())])[0])
    connected = kvadmin.pipelined([("smembers", keys.idx_user_repos(user_id)) for user_id in ids])
    return sorted(set().union(*connected), key=str.lower) if connected else []


@kvadmin.row_action("Resend the confirmation email")
def resend_confirmation(modeladmin, request, row, options):
    subscriber = row.record
    if subscriptions.is_confirmed(subscriber):
        raise kvadmin.ActionRefused("this address is confirmed already.")
    bits = subscriptions.preference_bits(subscriptions.subscriber_preferences(subscriber))
    subscriptions.enqueue(confirmation_send_task, subscriber.repoId, [[subscriber.email, bits]])
    return f"Sent the confirmation email to {subscriber.email} ({subscriber.repoId}) again."


@kvadmin.register(Subscriber, pk="key", verbose_name="subscriber")
class SubscriberAdmin(kvadmin.RecordAdmin):
    list_display = ("email", "repoId", "confirmed", "subscribedAt", "wants", "last_sent", "failures")
    search_fields = ("email",)
    search_help_text = "A subscriber's email address, a repository (owner/repo), a user id, or part of an address."
    scopes = ("repoId", "email", "userId", "entryId", "widgetId", "roadmapId")
    hidden = ("confirmToken",)
    editable = ("preferences",)
    label_field = "email"
    actions = [resend_confirmation]
    detail_fields = ("last_sent", "failures")

    def listing(self, scope, ordering):
        _, descending = self.sort(ordering)
        repos = repo_names(scope)
        if "email" in scope:
            return kvadmin.Listing([kvadmin.if_exists(keys.subscriber(repo, scope["email"]),
                                                      keys.subscriber(repo, scope["email"])) for repo in repos])
        return kvadmin.Listing([kvadmin.members_of(keys.idx_repo_subscribers(repo),
                                                   lambda email, repo=repo: keys.subscriber(repo, email))
                                for repo in repos], descending=descending)

    def annotate(self, rows):
        states = kvadmin.pipelined([("hgetall", keys.meta_subscriber(row.repoId, row.email)) for row in rows])
        for row, state in zip(rows, states):
            row.state = state

    @admin.display(description="wants")
    def wants(self, row):
        chosen = subscriptions.subscriber_preferences(row.record)
        return ", ".join(name for name, on in chosen.items() if on) or "nothing"

    @admin.display(description="last sent")
    def last_sent(self, row):
        return row.state.get("lastSentAt") or "–"

    @admin.display(description="failures")
    def failures(self, row):
        failures = int(row.state.get("failures") or 0)
        return f"{failures} ({row.state.get('lastError', '')})" if failures else "0"


@kvadmin.register(PageViews, pk="key", verbose_name="page views", verbose_name_plural="page views", fields={
    "entryId": kvadmin.Kind("text", False), "date": kvadmin.Kind("text", False), "views": COUNT,
    "uniqueVisitors": COUNT})
class PageViewsAdmin(kvadmin.RecordAdmin):
    """One row per entry and day (``analytics:views:{entryId}:{day}``), from ``idx:view-days``."""

    list_display = ("date", "entryId", "views", "uniqueVisitors")
    sortable_by = ("date",)
    by_score = ("date",)
    ordering = ("-date",)
    search_fields = ("entryId", "date")
    search_help_text = "An entry id, a user id, an email address, a repository (owner/repo), or a day (YYYY-MM-DD)."

    def segments(self, parents, scope):
        return [kvadmin.zset(keys.idx_entry_view_days(parent["entryId"]),
                             lambda day, entry_id=parent["entryId"]: keys.page_views(entry_id, day))
                for parent in parents]

    def load(self, pks):
        wanted = [(pk, fields) for pk, (name, fields) in zip(pks, map(keys.parse, pks)) if name == "page_views"]
        replies = kvadmin.pipelined([("hgetall", pk) for pk, _ in wanted], errors_as_values=True)
        found = []
        for (pk, fields), data in zip(wanted, replies):
            if not isinstance(data, dict):  # the document's plain-JSON form
                try:
                    data = PageViews(fields["entry_id"]).day(date.fromisoformat(fields["day"]))
                except ValueError:
                    continue
            if data:
                found.append((pk, {"entryId": fields["entry_id"], "date": fields["day"],
                                   "views": int(data.get("views") or 0),
                                   "uniqueVisitors": int(data.get("uniqueVisitors") or 0)}, None, None))
        return found


@kvadmin.register(EntryUpvotes, pk="entryId", verbose_name="entry upvotes", verbose_name_plural="entry upvotes",
                  fields={"entryId": kvadmin.Kind("text", False), "upvotes": COUNT, "voters": COUNT})
class EntryUpvotesAdmin(kvadmin.RecordAdmin):
    """Entries with upvotes: the count (``analytics:upvotes:{entryId}``) and how many voters its set holds."""

    list_display = ("entryId", "title", "upvotes", "voters")
    search_fields = ("entryId",)
    search_help_text = "An entry id, a user id, an email address or a repository (owner/repo)."

    def segments(self, parents, scope):
        return [kvadmin.if_exists(keys.entry_upvotes(parent["entryId"]), parent["entryId"]) for parent in parents]

    def load(self, pks):
        pks = [pk for pk in pks if ":" not in pk]
        replies = kvadmin.pipelined([command for pk in pks for command in (
            ("get", keys.entry_upvotes(pk)), ("scard", keys.entry_upvoters(pk)))])
        return [(pk, {"entryId": pk, "upvotes": int(count or 0), "voters": voters}, None, None)
                for pk, count, voters in zip(pks, replies[::2], replies[1::2])]

    def annotate(self, rows):
        titles = {entry.pk: str(entry) for entry in self.parent_admin().rows([row.pk for row in rows], annotate=False)}
        for row in rows:
            row.kv_label = titles.get(row.pk, row.pk)

    @admin.display(description="entry")
    def title(self, row):
        return str(row)


@kvadmin.total("subscribers emailed this week", permission="engagement.view_subscriber", order=70,
               link="engagement.subscriber")
def emailed_this_week():
    """Subscribers whose ``lastSentAt`` (an update or a digest; ``meta:subscriber:…``) is in this ISO
    week (since Monday, UTC). No mail counter is kept per week, so this counts addresses, not mails,
    and leaves confirmation mails out."""
    now = utc_now()
    monday = now.replace(hour=0, minute=0, second=0) - timedelta(days=now.weekday())
    pairs = [(repo, email) for repo, emails in zip(*_subscribers_by_repo()) for email in sorted(emails)]
    sent = kvadmin.pipelined([("hget", keys.meta_subscriber(repo, email), "lastSentAt") for repo, email in pairs])
    return sum(1 for moment in sent if moment and _since(moment, monday))


def _subscribers_by_repo():
    repos = repo_names({})
    return repos, kvadmin.pipelined([("smembers", keys.idx_repo_subscribers(repo)) for repo in repos])


def _since(text, start):
    try:
        return parse_iso(text) >= start
    except (TypeError, ValueError):
        return False
