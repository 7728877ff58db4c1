""""Shipped in" on GitHub follows the editor (docs/github-loop.md): a publish, an unpublish or an
edit of a published entry queues ``github_sync.shipped_sync``. Connected in ``GithubSyncConfig.ready``;
``shipped_enqueue`` never raises, and ``entries.signals.send`` would log it if it did."""

from django.dispatch import receiver

from entries.signals import entry_published, entry_published_changed, entry_unpublished
from github_sync.services.shipped import shipped_enqueue


@receiver(entry_published, dispatch_uid="github_sync.shipped_in.published")
def shipped_in_on_publish(sender, entry, **kwargs):
    shipped_enqueue(entry=entry, reason="published")


@receiver(entry_unpublished, dispatch_uid="github_sync.shipped_in.unpublished")
def shipped_in_on_unpublish(sender, entry, **kwargs):
    shipped_enqueue(entry=entry, reason="unpublished")


@receiver(entry_published_changed, dispatch_uid="github_sync.shipped_in.changed")
def shipped_in_on_change(sender, entry, **kwargs):
    shipped_enqueue(entry=entry, reason="changed")
