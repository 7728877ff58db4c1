"""The admin's entries and social posts (docs/admin.md)."""

from django.contrib import admin
from django.utils.html import format_html

from changelog_site import kvadmin
from changelog_site.kv import keys
from entries import social
from entries.models import STATUSES, Entry, SocialPost
from entries.publishing import entry_unpublish
from entries.services import entry_fields_mark_edited



@kvadmin.row_action("Unpublish (back to drafts)")
def unpublish(modeladmin, request, row, options):
    if row.status != "published":
        raise kvadmin.ActionRefused("it is a draft already.")
    entry_unpublish(user_id=row.userId, entry_id=row.pk)
    return f"Unpublished “{row}” (back to the drafts of {row.userId})."


def entry_indexes(user_id, scope):
    """The sorted sets of a user's entries in the scope's status(es), all repositories or one."""
    statuses = [scope["status"]] if scope.get("status") in STATUSES else list(STATUSES)
    if "repoId" in scope:
        return [keys.idx_repo_entries(user_id, scope["repoId"], status) for status in statuses]
    return [keys.idx_user_entries(user_id, status) for status in statuses]


@kvadmin.register(Entry, pk="id", verbose_name="entry", verbose_name_plural="entries")
class EntryAdmin(kvadmin.RecordAdmin):
    list_display = ("title", "status", "repoId", "prId", "userId", "category", "mergedAt", "upvotes")
    list_filter = ("status",)
    sortable_by = ("mergedAt",)
    by_score = ("mergedAt",)
    ordering = ("-mergedAt",)
    search_fields = ("title", "id")
    search_help_text = "An entry id, a user id, an email address, a repository (owner/repo), or words of a title."
    scopes = ("entryId", "status")
    editable = ("title", "body", "category", "aiRewrite", "textSource", "labels")
    label_field = "title"
    actions = [unpublish]
    detail_fields = ("upvotes", "records")

    def segments(self, parents, scope):
        if "entryId" in scope:
            return [kvadmin.values([scope["entryId"]])]
        return [kvadmin.zset(index) for parent in parents for index in entry_indexes(parent["userId"], scope)]

    def refs(self, scope):
        """``{"userId", "entryId"}`` of every entry in the scope (for social posts, views, upvotes)."""
        users = self.parent_admin().refs(scope)
        if "entryId" in scope:
            return [{"userId": user["userId"], "entryId": scope["entryId"]} for user in users]
        indexes = [(user["userId"], index) for user in users for index in entry_indexes(user["userId"], scope)]
        replies = kvadmin.pipelined([("zrange", index, 0, -1) for _, index in indexes])
        return [{"userId": user_id, "entryId": entry_id} for (user_id, _), ids in zip(indexes, replies)
                for entry_id in ids]

    def record_keys(self, pks):
        pointers = iter(kvadmin.pipelined([("get", keys.idx_entry(pk)) for pk in pks if ":" not in pk]))
        found = [None if ":" in pk else next(pointers) for pk in pks]
        return [key if key and keys.parse(key)[0] == "entry" else None for key in found]

    def annotate(self, rows):
        counts = kvadmin.pipelined([("get", keys.entry_upvotes(row.pk)) for row in rows])
        for row, count in zip(rows, counts):
            row.upvote_count = int(count or 0)

    def after_save(self, record, changed, pipe):
        """Staff edits are the owner's edits: later GitHub events leave those fields alone."""
        entry_fields_mark_edited(entry_id=record.id, fields=changed, pipe=pipe)

    @admin.display(description="upvotes")
    def upvotes(self, row):
        return row.upvote_count

    @admin.display(description="records")
    def records(self, row):
        return format_html("{} · {}", kvadmin.changelist_link("entries.socialpost", "social posts", entryId=row.pk),
                           kvadmin.changelist_link("engagement.pageviews", "page views", entryId=row.pk))


@kvadmin.register(SocialPost, pk="key", verbose_name="social post")
class SocialPostAdmin(kvadmin.RecordAdmin):
    list_display = ("id", "platform", "preview", "entryId", "userId", "tone", "createdAt")
    search_fields = ("id", "post", "tweets", "hashtags")
    search_help_text = "An entry id, a user id, an email address, a repository (owner/repo), or words of a post."
    editable = ("tweets", "post", "hashtags", "tone")
    actions = []

    def segments(self, parents, scope):
        return [kvadmin.members_of(keys.idx_social_platforms(parent["userId"], parent["entryId"]),
                                   lambda platform, p=parent: keys.social(p["userId"], p["entryId"], platform))
                for parent in parents]

    def problems(self, record, changed):
        """X's and LinkedIn's length rules, as the owner's edit checks them (entries/social.py)."""
        if record.platform == "twitter" and "tweets" in changed:
            return social.thread_problems(record.tweets)
        if record.platform == "linkedin" and "post" in changed:
            return social.post_problems(record.post)
        return {}

    @admin.display(description="text")
    def preview(self, row):
        text = " ".join(row.tweets or []) if row.platform == "twitter" else row.post or ""
        return text[:80] + ("…" if len(text) > 80 else "")
