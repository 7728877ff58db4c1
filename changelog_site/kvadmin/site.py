"""The admin site: Django's, with the totals on its index page (``totals.py``)."""

from django.contrib import admin

from . import totals


class ShiplogAdminSite(admin.AdminSite):
    site_header = "Shiplog admin"
    site_title = "Shiplog admin"
    index_title = "Shiplog"
    index_template = "admin/kvadmin/index.html"

    def index(self, request, extra_context=None):
        return super().index(request, {"totals": totals.for_user(request.user), **(extra_context or {})})
