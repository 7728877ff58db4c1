"""The WSGI application the web server serves: Django behind the front door, which answers readers'
GETs of public pages Django has answered before without entering Django (``changelog_site.front``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changelog_site.settings")

from changelog_site.front import FrontDoor  # noqa: E402 (needs the settings module named first)

application = FrontDoor(get_wsgi_application())
