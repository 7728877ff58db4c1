"""The totals on the admin's index page.

Each app declares the figures it can count in its ``admin.py`` (``@kvadmin.total(...)`` above a
function of no arguments), read from an index, a counter or SQL, never SCAN; the index page
shows, in ``order``, those of the collections the staff member may view (``permission``).
"""

from dataclasses import dataclass
from typing import Callable

from django.urls import NoReverseMatch, reverse

_figures = []


@dataclass
class Figure:
    label: str
    count: Callable
    permission: str
    order: int
    link: str = ""  # "app_label.model_name" of a changelist, optionally "?query"

    def url(self):
        if not self.link:
            return None
        label, _, query = self.link.partition("?")
        app_label, model_name = label.split(".")
        try:
            return reverse(f"admin:{app_label}_{model_name}_changelist") + (f"?{query}" if query else "")
        except NoReverseMatch:
            return None


def total(label, *, permission, order, link=""):
    """Declare a figure of the index page: decorates the function that counts it."""

    def wrap(count):
        _figures[:] = [figure for figure in _figures if figure.label != label]
        _figures.append(Figure(label, count, permission, order, link))
        return count

    return wrap


def for_user(user):
    """``[{"label", "value", "url"}]`` of the figures ``user`` may see, in order."""
    return [{"label": figure.label, "value": figure.count(), "url": figure.url()}
            for figure in sorted(_figures, key=lambda figure: figure.order) if user.has_perm(figure.permission)]
