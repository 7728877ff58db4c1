"""What entries announces, so the apps above it react without entries importing them
(docs/architecture.md, "Layers"). Each app connects its receivers in its ``AppConfig.ready``.

- ``entry_published(entry)``: sent once a publish has committed. Engagement queues the mail of the
  subscribers and the channel posts, roadmap the "shipped" notes of the items the entry shipped.
  Sent with ``send_robust``: a receiver's failure is logged and never fails or undoes the publish.
- ``entry_unpublished(entry)`` and ``entry_published_changed(entry)`` (a published entry's title
  was edited): sent the same way; github_sync keeps its "Shipped in" comments
  in step (docs/github-loop.md).
"""

from django.dispatch import Signal

entry_published = Signal()
entry_unpublished = Signal()
entry_published_changed = Signal()
