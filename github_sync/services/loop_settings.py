"""Each user's "Shipped in" settings for a repository, beside the draft rules in ``SyncSettings``
(the repository's settings page, section "On GitHub"; docs/github-loop.md)."""

import logging
import re
from dataclasses import dataclass

from django.db import DatabaseError

from changelog_site.kv.records import ValidationError
from github_sync.models import SyncSettings

log = logging.getLogger(__name__)

LABEL_MAX = 50  # GitHub's limit on a label's name
DEFAULT_LABEL = "released"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class LoopSettings:
    shipped_in: bool = True
    released_label: str = DEFAULT_LABEL
    remove_on_unpublish: bool = False


def loop_settings_get(*, user_id, github_repo_id):
    """The user's settings for the repository; the defaults without a row, or when SQL cannot be read."""
    try:
        row = SyncSettings.objects.filter(user_id=user_id, github_repo_id=github_repo_id).first()
    except DatabaseError:
        log.warning("sync settings unreadable; default Shipped-in settings for repository %s", github_repo_id)
        row = None
    if row is None:
        return LoopSettings()
    return LoopSettings(shipped_in=row.shipped_in, released_label=row.released_label.strip(),
                        remove_on_unpublish=row.shipped_in_remove_on_unpublish)


def loop_settings_update(*, user_id, github_repo_id, shipped_in, released_label, remove_on_unpublish):
    """Save the settings; ``ValidationError`` for a label GitHub would refuse. A blank label: none."""
    label = " ".join((released_label or "").split())
    if len(label) > LABEL_MAX or CONTROL.search(label):
        raise ValidationError({"released_label": f"must be at most {LABEL_MAX} printable characters"})
    row, _ = SyncSettings.objects.get_or_create(user_id=user_id, github_repo_id=github_repo_id)
    row.shipped_in, row.released_label = bool(shipped_in), label
    row.shipped_in_remove_on_unpublish = bool(remove_on_unpublish)
    row.save(update_fields=["shipped_in", "released_label", "shipped_in_remove_on_unpublish", "updated_at"])
    return loop_settings_get(user_id=user_id, github_repo_id=github_repo_id)
