from django.contrib import admin

from accounts.models import Account, ApiToken
from changelog_site import kvadmin
from changelog_site.kv import keys


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    search_fields = ("prefix", "name", "user__email")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    raw_id_fields = ("user",)


def user_ids(scope):
    """The userIds an admin scope names (docs/admin.md): one user, the account of an email address, the
    users who connected a repository, the owner of an entry, widget or roadmap item; None for every
    user (``idx:users``)."""
    if "userId" in scope:
        return [scope["userId"]]
    if "email" in scope:
        return sorted(Account.objects.filter(user__email__iexact=scope["email"])
                      .values_list("shiplog_user_id", flat=True))
    if "repoId" in scope:
        return sorted(kvadmin.pipelined([("smembers", keys.idx_repo_users(scope["repoId"]))])[0])
    for name, pointer in (("entryId", keys.idx_entry), ("widgetId", keys.idx_widget), ("roadmapId", keys.idx_roadmap)):
        if name in scope:
            owner = kvadmin.pointed(pointer(scope[name])).get("user_id")
            return [owner] if owner else []
    return None
