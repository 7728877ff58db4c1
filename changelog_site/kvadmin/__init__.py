"""The team's admin over the Redis collections: stock Django admin pages on unmanaged row models.

One adapter for every collection (docs/admin.md): ``register`` builds a collection's row model from
its record class, ``RecordAdmin`` (a ``ModelAdmin``) answers the admin's queryset calls from the
collection's index keys (``query.RecordQuerySet`` over ``listing.Listing``), and ``row_action``
turns a domain service into a logged admin action. Each app declares its collections, the actions
it adds to collections of the apps below it (``add_actions``) and its totals (``total``) in its own
``admin.py``; ``site.ShiplogAdminSite`` shows the totals on the admin's index page. This package
imports no app: the apps import it.
"""

from .actions import ActionRefused, row_action
from .fields import Kind
from .listing import Listing, if_exists, members_of, pipelined, pointed, values, zset
from .options import RecordAdmin, add_actions, changelist_link, register
from .totals import total

__all__ = ["ActionRefused", "Kind", "Listing", "RecordAdmin", "add_actions", "changelist_link",
           "if_exists", "members_of", "pipelined", "pointed", "register", "row_action", "total", "values", "zset"]
