"""A record class's fields as Django model fields, and form values back as record values.

Each pydantic field of a record class becomes one field of its admin row model: text as
``CharField`` (with the record's ``max_length``) or ``TextField``, ``Literal`` as a ``CharField``
with choices (a select), integers, flags, timestamps as ``DateTimeField`` (aware UTC), lists of
strings as one item per line, objects (colors, options, preferences) as JSON. The record class
stays the one validator: Django's checks on these fields only shape the form.
"""

import re
import types
import typing
from datetime import datetime

from django import forms
from django.db import models
from django.utils.text import capfirst

LONG_TEXT = 2000  # longer or unbounded text gets a textarea
CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
ACRONYMS = {"pr": "PR", "ai": "AI", "url": "URL", "github": "GitHub", "id": "id"}


class LinesFormField(forms.CharField):
    """A list of strings edited one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, (list, tuple)) else value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


class LinesField(models.JSONField):
    """A record's list of strings; never stored in SQL (the row models are unmanaged)."""

    def formfield(self, **kwargs):
        return LinesFormField(required=not self.blank, label=capfirst(self.verbose_name),
                              help_text="One per line.")


class Kind(typing.NamedTuple):
    name: str  # text, choice, integer, flag, timestamp, lines, json
    nullable: bool  # the record takes None (``X | None``)
    required: bool = True
    max_length: int | None = None
    choices: tuple = ()


def _unwrap(annotation):
    """``(inner annotation, optional)`` of ``X | None`` and ``Annotated[X, ...]``."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    metadata = []
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
    return annotation, optional, metadata


def kind_of(field_info):
    """The ``Kind`` of a pydantic field (its annotation, constraints and default)."""
    annotation, nullable, metadata = _unwrap(field_info.annotation)
    required = field_info.is_required()
    max_length = next((m.max_length for m in [*field_info.metadata, *metadata]
                       if getattr(m, "max_length", None)), None)
    if typing.get_origin(annotation) is typing.Literal:
        return Kind("choice", nullable, required, choices=typing.get_args(annotation))
    for python_type, name in ((datetime, "timestamp"), (bool, "flag"), (int, "integer"), (str, "text")):
        if annotation is python_type:
            return Kind(name, nullable, required, max_length=max_length if name == "text" else None)
    if typing.get_origin(annotation) is list:
        return Kind("lines", nullable, required)
    return Kind("json", nullable, required)


def label(name):
    """A record field's name as people read it: ``mergedAt`` -> "merged at", ``prUrl`` -> "PR URL"."""
    words = CAMEL_HUMP.sub(" ", name).lower().split()
    return " ".join(ACRONYMS.get(word, word) for word in words)


def django_field(name, kind, *, primary_key=False):
    """The model field shown for a record field of ``kind`` (a row's primary key: text)."""
    if primary_key:
        return models.CharField(label(name), max_length=500, primary_key=True)
    common = {"verbose_name": label(name), "blank": kind.nullable or not kind.required, "null": kind.nullable}
    if kind.name == "choice":
        return models.CharField(max_length=100, choices=[(value, value) for value in kind.choices], **common)
    if kind.name == "timestamp":
        return models.DateTimeField(**common)
    if kind.name == "flag":
        return models.BooleanField(verbose_name=label(name), default=False)
    if kind.name == "integer":
        return models.BigIntegerField(**common)
    if kind.name == "lines":
        return LinesField(verbose_name=label(name), blank=True, default=list)
    if kind.name == "json":
        return models.JSONField(**common)
    if kind.max_length and kind.max_length <= LONG_TEXT:
        return models.CharField(max_length=kind.max_length, **common)
    return models.TextField(**common)


def record_value(kind, value):
    """A cleaned form value as the record field takes it: an empty optional field is unset."""
    if kind.name in ("text", "choice") and value in ("", None):
        return None if kind.nullable else ""
    if kind.name == "lines":
        return list(value or [])
    return value
