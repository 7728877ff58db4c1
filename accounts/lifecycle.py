"""Everything of one user: the GDPR export and the account's deletion.

Both walk the registry of record classes (``changelog_site.kv.registry``) from the user's record:
every class whose records hang off a user, an entry, a widget, or the repositories only this user
has (``repos.models.RepoShares``) is reached, never a key list, and no app above accounts is
imported. What lives outside Redis comes and goes through the signals of ``accounts.signals``.
"""

import logging

from django.utils import timezone

from accounts.models import Account, ApiToken, User
from accounts.signals import account_deleted, account_deleting, account_export_requested
from changelog_site.kv import client as kv
from changelog_site.kv.registry import export_tree

log = logging.getLogger(__name__)


def account_export(*, user_id, django_user=None):
    """All of a user's data as one JSON-ready dict (GDPR). The GitHub token is never included."""
    export = {"exportedAt": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
              **export_tree(User.get_or_placeholder(user_id))}
    for _receiver, sections in account_export_requested.send(sender=User, user_id=user_id):
        export.update(sections)
    if django_user is not None:
        export["apiTokens"] = [{"name": token.name, "prefix": token.prefix, "createdAt": token.created_at.isoformat(),
                                "revokedAt": token.revoked_at.isoformat() if token.revoked_at else None}
                               for token in ApiToken.objects.filter(user=django_user)]
    return export


def account_delete(*, user_id):
    """Delete every key of the user in every collection, the webhooks it alone had, and its
    Django account.

    ``account_deleting`` goes first: repositories are disconnected (a revoked GitHub token
    leaves a webhook behind rather than keeping the account alive). Then the user's record and
    its whole family go in one MULTI, with what the users of a repository share (subscribers,
    branding, releases, changelog version, backfill progress) of the repositories nobody else
    has any more. Those of a repository another user still has connected, and its webhook, stay
    theirs. ``account_deleted`` follows for the SQL rows, then the Django account.
    """
    account_deleting.send(sender=User, user_id=user_id)
    root = User.get_or_placeholder(user_id)
    with kv.atomic() as pipe:
        root.delete(pipe)
    account_deleted.send(sender=User, user_id=user_id)
    account = Account.objects.select_related("user").filter(shiplog_user_id=user_id).first()
    if account is not None:
        account.user.delete()
    log.info("Deleted account %s", user_id)
