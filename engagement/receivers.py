"""Engagement's receivers (``entries.signals``). Connected in ``EngagementConfig.ready``."""

from django.dispatch import receiver

from engagement.delivery import entry_published_enqueue
from entries.signals import entry_published


@receiver(entry_published)
def subscribers_notify(sender, entry, **kwargs):
    """Queue the subscribers' mail and the channel posts of a just-published entry."""
    entry_published_enqueue(entry_id=entry.id)
