"""The admin's repositories and GitHub tokens (docs/admin.md)."""

from django.contrib import admin

from changelog_site import kvadmin
from changelog_site.kv import keys
from repos.models import GitHubToken, Repo


def related_repos(user_ids, scope):
    """``[(userId, repoId)]``: every repository each user has records of (connected or not), or only
    the scope's repository."""
    if "repoId" in scope:
        return [(user_id, scope["repoId"]) for user_id in user_ids]
    replies = kvadmin.pipelined([command for user_id in user_ids for command in (
        ("smembers", keys.idx_user_repos(user_id)), ("smembers", keys.idx_user_related_repos(user_id)))])
    return [(user_id, repo_id) for index, user_id in enumerate(user_ids)
            for repo_id in sorted(replies[2 * index] | replies[2 * index + 1], key=str.lower)]


@kvadmin.register(Repo, pk="key", verbose_name="repository", verbose_name_plural="repositories")
class RepoAdmin(kvadmin.RecordAdmin):
    list_display = ("name", "userId", "githubRepoId", "isPrivate", "webhookId", "connectedAt", "records")
    search_fields = ("name",)
    search_help_text = "A repository (owner/repo), a user id, an email address, or part of a repository name."
    label_field = "name"
    actions = []  # github_sync adds "re-run the backfill", roadmap "re-run the roadmap sync"
    detail_fields = ("records",)

    def segments(self, parents, scope):
        if "repoId" in scope:
            return [kvadmin.if_exists(keys.repo(parent["userId"], scope["repoId"]),
                                      keys.repo(parent["userId"], scope["repoId"])) for parent in parents]
        return [kvadmin.members_of(keys.idx_user_repos(parent["userId"]),
                                   lambda name, user_id=parent["userId"]: keys.repo(user_id, name))
                for parent in parents]

    @admin.display(description="records")
    def records(self, row):
        return kvadmin.changelist_link("entries.entry", "entries", userId=row.userId, repoId=row.name)


@kvadmin.register(GitHubToken, pk="userId", verbose_name="GitHub token", fields={
    "userId": kvadmin.Kind("text", False), "state": kvadmin.Kind("text", True),
    "login": kvadmin.Kind("text", True), "checkedAt": kvadmin.Kind("text", True)})
class GitHubTokenAdmin(kvadmin.RecordAdmin):
    """Whose GitHub token is saved and what GitHub last said about it; never the token itself."""

    list_display = ("userId", "state", "login", "checkedAt")
    search_fields = ("userId", "login")
    search_help_text = "A user id, an email address, or part of a GitHub login."

    def segments(self, parents, scope):
        return [kvadmin.if_exists(keys.github_token(parent["userId"]), parent["userId"]) for parent in parents]

    def load(self, pks):
        pks = [pk for pk in pks if ":" not in pk]
        replies = kvadmin.pipelined([command for pk in pks for command in (
            ("exists", keys.github_token(pk)), ("hgetall", keys.meta_github_token_check(pk)))])
        return [(pk, {"userId": pk, "state": check.get("state") or "not checked", "login": check.get("login"),
                      "checkedAt": check.get("checkedAt")}, None, None)
                for pk, present, check in zip(pks, replies[::2], replies[1::2]) if present]
