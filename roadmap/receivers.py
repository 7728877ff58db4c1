"""Roadmap's receivers (``entries.signals``). Connected in ``RoadmapConfig.ready``."""

from django.dispatch import receiver

from entries.signals import entry_published
from roadmap import shipping


@receiver(entry_published)
def shipped_items_notify(sender, entry, **kwargs):
    """Queue the "shipped" notes of the roadmap items a just-published entry shipped."""
    shipping.entry_published(entry=entry)
