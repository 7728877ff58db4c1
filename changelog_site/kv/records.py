"""Record classes: typed, validated JSON documents stored at the data document's keys.

A subclass declares its fields with the document's exact camelCase names and says how
its key is built (``key_parts``) and which index keys cover it (``add_to_indexes`` and
``remove_from_indexes``). ``save`` and ``delete`` write the record together with its
indexes in one MULTI/EXEC, or queue both on a pipeline the caller passes in.

Fields another implementation wrote that we do not know are kept and written back, so a
round trip through Shiplog never loses data.
"""

import json
import re
from datetime import datetime, timezone

from . import client as kv

MISSING = object()
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


class ValidationError(ValueError):
    """Raised before anything is written; ``errors`` maps field names to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


def utc_now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment):
    """ISO 8601 in UTC with a ``Z``: the document's timestamp form."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


class Field:
    """One field: its type, whether it may be absent, its allowed values and its bounds.

    ``kind`` is one of ``str``, ``int``, ``bool``, ``datetime`` (an ISO 8601 string), ``color``
    (a hex color), ``list`` (of strings) or a dict of sub-fields for nested objects.
    """

    def __init__(self, kind, *, required=True, choices=None, default=MISSING, nullable=False,
                 max_length=None, min_length=0):
        self.kind = kind
        self.required = required
        self.choices = tuple(choices) if choices else None
        self.default = default
        self.nullable = nullable
        self.max_length = max_length
        self.min_length = min_length

    def initial(self):
        if self.default is MISSING:
            return None
        return self.default() if callable(self.default) else self.default

    def check(self, value):
        """The error message for ``value``, or None when it is valid."""
        if value is None:
            if self.required and not self.nullable:
                return "is required"
            return None
        kind = self.kind
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                return "must be an object"
            for name, sub in kind.items():
                problem = sub.check(value.get(name))
                if problem:
                    return f"{name} {problem}"
            return None
        if kind is bool and not isinstance(value, bool):
            return "must be true or false"
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            return "must be an integer"
        if kind in (str, "datetime", "color") and not isinstance(value, str):
            return "must be a string"
        if kind == "datetime" and not ISO_DATETIME.match(value):
            return "must be an ISO 8601 timestamp"
        if kind == "color" and not HEX_COLOR.match(value):
            return "must be a hex color like #1f6feb"
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                return "must be a list of strings"
        if self.choices is not None and value not in self.choices:
            return "must be one of " + ", ".join(repr(choice) for choice in self.choices)
        if kind is str and self.max_length is not None and len(value) > self.max_length:
            return f"must be at most {self.max_length} characters"
        if kind is str and len(value.strip()) < self.min_length:
            return "may not be blank"
        return None


class RecordMeta(type):
    def __new__(mcs, name, bases, namespace):
        fields = {}
        for base in bases:
            fields.update(getattr(base, "fields", {}))
        fields.update({key: value for key, value in namespace.items() if isinstance(value, Field)})
        for key in fields:
            namespace.pop(key, None)
        namespace["fields"] = fields
        return super().__new__(mcs, name, bases, namespace)


class JsonRecord(metaclass=RecordMeta):
    """Base for the document's records that are JSON strings."""

    fields = {}

    def __init__(self, **values):
        unknown = set(values) - set(self.fields)
        if unknown:
            raise ValidationError({name: "is not a field of this record" for name in sorted(unknown)})
        self.extra = {}
        for name, field in self.fields.items():
            setattr(self, name, values[name] if name in values else field.initial())

    def __repr__(self):
        return f"<{type(self).__name__} {self.key()}>"

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    # --- keys and indexes, per subclass ---------------------------------------------------

    def key(self):
        raise NotImplementedError

    def add_to_indexes(self, pipe):
        """Queue the index writes that cover this record."""

    def remove_from_indexes(self, pipe):
        """Queue the index removals for this record."""

    # --- serialization ----------------------------------------------------------------------

    def validate(self):
        errors = {}
        for name, field in self.fields.items():
            problem = field.check(getattr(self, name))
            if problem:
                errors[name] = problem
        if errors:
            raise ValidationError(errors)

    def to_dict(self):
        data = dict(self.extra)
        for name, field in self.fields.items():
            value = getattr(self, name)
            if value is not None or field.nullable:
                data[name] = value
        return data

    def dumps(self):
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data):
        record = cls(**{name: data[name] for name in cls.fields if name in data})
        record.extra = {name: value for name, value in data.items() if name not in cls.fields}
        return record

    @classmethod
    def loads(cls, raw):
        return cls.from_dict(json.loads(raw))

    # --- storage --------------------------------------------------------------------------

    @classmethod
    def get_by_key(cls, key):
        raw = kv.get_client().get(key)
        return None if raw is None else cls.loads(raw)

    @classmethod
    def get_many_by_keys(cls, keys):
        if not keys:
            return []
        return [cls.loads(raw) for raw in kv.get_client().mget(keys) if raw is not None]

    def save(self, pipe=None):
        """Validate, then write the record and its indexes atomically (or on ``pipe``)."""
        self.validate()
        with kv.atomic(pipe) as p:
            p.set(self.key(), self.dumps())
            self.add_to_indexes(p)
        return self

    def delete(self, pipe=None):
        with kv.atomic(pipe) as p:
            p.delete(self.key())
            self.remove_from_indexes(p)


class VoteCounter:
    """A count key (Redis integer) and its voters set, as the document gives both for upvotes.

    One Lua script adds the voter and increments the count only when the voter is new,
    so a visitor counts once however often or concurrently they vote.
    """

    UPVOTE = """
    local added = redis.call('SADD', KEYS[2], ARGV[1])
    if added == 1 then
        return {1, redis.call('INCR', KEYS[1])}
    end
    return {0, tonumber(redis.call('GET', KEYS[1]) or '0')}
    """

    def __init__(self, count_key, voters_key):
        self.count_key = count_key
        self.voters_key = voters_key

    def upvote(self, voter_id):
        """Returns ``(counted, count)``: whether this vote was new, and the count after it."""
        counted, count = kv.run_script(self.UPVOTE, keys=[self.count_key, self.voters_key], args=[voter_id])
        return bool(counted), int(count)

    def count(self):
        return int(kv.get_client().get(self.count_key) or 0)

    def has_voted(self, voter_id):
        return bool(kv.get_client().sismember(self.voters_key, voter_id))

    def voters(self):
        return kv.get_client().smembers(self.voters_key)

    def delete(self, pipe=None):
        with kv.atomic(pipe) as p:
            p.delete(self.count_key, self.voters_key)
