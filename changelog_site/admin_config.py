"""``django.contrib.admin`` with the Shiplog admin site (``changelog_site.kvadmin.site``) as ``admin.site``.

Kept outside ``kvadmin``, whose package imports models: an app config is imported before they load.
"""

from django.contrib.admin.apps import AdminConfig


class ShiplogAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``ShiplogAdminSite`` as ``admin.site``."""

    default_site = "changelog_site.kvadmin.site.ShiplogAdminSite"
