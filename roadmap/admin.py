"""The admin's roadmap items, with their live votes (docs/admin.md)."""

import logging

from django.contrib import admin

from changelog_site import kvadmin
from changelog_site.domain import DomainError
from changelog_site.kv import keys
from repos.admin import related_repos
from repos.github import GitHubError
from repos.models import Repo
from roadmap import importer, services
from roadmap.models import RoadmapItem, RoadmapUpvotes
from roadmap.tasks import sync_task

log = logging.getLogger(__name__)


@kvadmin.row_action("Re-run the roadmap sync (GitHub issues)")
def rerun_roadmap_sync(modeladmin, request, row, options):
    """What "Sync now" on the Roadmap page does (roadmap/dashboard.py), for a repository or the
    repository of a roadmap item."""
    repo_name = getattr(row, "repoId", None) or row.name
    try:
        sync_task.delay(repo_name)
    except (DomainError, importer.SyncError, GitHubError) as error:  # eager Celery runs it here
        raise kvadmin.ActionRefused(f"the roadmap sync of {repo_name} failed: "
                                    f"{getattr(error, 'detail', None) or error}") from None
    except Exception:  # noqa: BLE001  the broker being unreachable must not become a 500
        log.exception("could not queue the roadmap sync of %s", repo_name)
        raise kvadmin.ActionRefused("the roadmap sync could not be queued; try again shortly.") from None
    return f"Queued the roadmap sync of {repo_name}."


@kvadmin.register(RoadmapItem, pk="id", verbose_name="roadmap item")
class RoadmapItemAdmin(kvadmin.RecordAdmin):
    covers = (RoadmapUpvotes,)
    list_display = ("title", "id", "repoId", "issueId", "status", "votes", "userId", "linkedEntryId", "updatedAt")
    sortable_by = ("issueId",)
    by_score = ("issueId",)
    search_fields = ("title", "id")
    search_help_text = "A roadmap item id, a user id, an email address, a repository (owner/repo), or words of a title."
    editable = ("status",)
    label_field = "title"
    actions = [rerun_roadmap_sync]
    detail_fields = ("votes",)

    def segments(self, parents, scope):
        if "roadmapId" in scope:
            return [kvadmin.values([scope["roadmapId"]])]
        return [kvadmin.zset(keys.idx_roadmap_items(user_id, repo_id))
                for user_id, repo_id in related_repos([parent["userId"] for parent in parents], scope)]

    def record_keys(self, pks):
        pointers = iter(kvadmin.pipelined([("get", keys.idx_roadmap(pk)) for pk in pks if ":" not in pk]))
        found = [None if ":" in pk else next(pointers) for pk in pks]
        return [key if key and keys.parse(key)[0] == "roadmap_item" else None for key in found]

    def annotate(self, rows):
        services.with_live_votes([row.record for row in rows])
        for row in rows:
            row.upvotes = row.record.upvotes

    def write(self, row, record, changed):
        """A status set by staff is the owner's manual status: kept until GitHub's state of the issue
        changes (roadmap.services.item_update)."""
        if "status" in changed:
            services.item_update(user_id=record.userId, roadmap_id=record.id, status=record.status)

    @admin.display(description="votes")
    def votes(self, row):
        return row.upvotes


kvadmin.add_actions(Repo, rerun_roadmap_sync)
