"""What accounts announces, so the apps above it add their part without accounts importing them
(docs/architecture.md, "Layers"). Each app connects its receivers in its ``AppConfig.ready``.

All are sent with ``sender=accounts.models.User`` and ``user_id``:

- ``account_profile_requested``: each receiver returns a dict of fields it adds to the profile
  (``/api/me/``, the dashboard): repos adds ``githubConnected`` and ``repos``, billing ``usage``.
- ``account_export_requested``: each receiver returns ``{section: value}`` for the GDPR export,
  for data outside the registry of Redis records (SQL rows such as GitHub sync rules).
- ``account_deleting``: before the user's records go; receivers let go of what outside
  Shiplog points at them (repos disconnects every repository, removing its webhook).
- ``account_deleted``: after the records went; receivers delete SQL rows kept by userId.
"""

from django.dispatch import Signal

account_profile_requested = Signal()
account_export_requested = Signal()
account_deleting = Signal()
account_deleted = Signal()
