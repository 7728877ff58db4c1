"""Record classes: the data document's JSON records as pydantic v2 models, stored at their keys.

A subclass declares its fields with the document's exact camelCase names and types (``Literal``
enums, ``Timestamp`` for ISO 8601 times, ...), says how its key is built (``key``) and which
index keys cover it (``add_to_indexes`` / ``remove_from_indexes``), and what its family is
(``changelog_site.kv.registry``). ``save`` and ``delete`` write the record together with its
indexes in one MULTI/EXEC, or queue both on a pipeline the caller passes in.

* Validation: a record is validated when it is built, loaded and saved (fields may be assigned
  freely in between); problems raise ``ValidationError`` whose ``errors`` maps field names to
  messages, which the API returns as the contract's ``errors``.
* Timestamps are parsed once, into aware UTC datetimes, and written in the document's form
  (``2026-03-09T12:00:00Z``). ``parse_iso`` is the one ISO 8601 parser of the tree.
* Fields another implementation wrote that we do not know are kept and written back
  (``extra="allow"``), so a round trip through Shiplog never loses data.
* The JSON is compact, fields in declared order, unset optional fields omitted, except those in
  ``NULLABLE``, written as ``null`` as the document shows them.
"""

import json
import logging
import re
import secrets
from datetime import datetime, timezone
from typing import Annotated, ClassVar

from pydantic import (AfterValidator, BaseModel, ConfigDict, PlainSerializer, PlainValidator, Strict, StringConstraints,
                      model_validator)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from . import client as kv
from .convert import json_list_to_set
from .registry import Family

log = logging.getLogger(__name__)

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
ISO_8601 = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?)?$")


class ValidationError(ValueError):
    """Raised before anything is written; ``errors`` maps field names to messages."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))

    @classmethod
    def from_pydantic(cls, error):
        errors = {}
        for problem in error.errors():
            location = [part for part in problem["loc"]]
            name = str(location[0]) if location else "record"
            errors.setdefault(name, _message(problem, location[1:]))
        return cls(errors)


MESSAGES = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "list_type": "must be a list of strings",
    "dict_type": "must be an object",
    "string_too_long": "must be at most {max_length} characters",
    "literal_error": "must be one of {expected}",
}


def _message(problem, inner):
    template = MESSAGES.get(problem["type"])
    text = template.format(**problem.get("ctx") or {}) if template else problem["msg"]
    if inner and isinstance(inner[0], int):
        return "must be a list of strings"
    if inner:
        return f"{'.'.join(str(part) for part in inner)} {text}"
    return text


# --- time: the one ISO 8601 parser, and the document's form -----------------------------------

def utc_now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(moment):
    """The document's timestamp form: ISO 8601 in UTC with a ``Z`` (``2026-03-09T12:00:00Z``);
    a time with a fraction of a second keeps it (milliseconds when that is exact)."""
    moment = moment.astimezone(timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        fraction = f"{moment.microsecond:06d}"
        text += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    return text + "Z"


def parse_iso(value, *, naive_is_utc=False):
    """An aware UTC datetime from an ISO 8601 timestamp (``Z`` or an offset, any fraction of a
    second: GitHub, DodoPayments, other implementations) or from a datetime.

    A value without a UTC offset (or a bare date) is refused unless ``naive_is_utc``. Raises
    ``ValueError`` (``TypeError`` for something that is neither text nor a datetime)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        match = ISO_8601.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not an ISO 8601 timestamp")
        day, clock, fraction, zone = match.groups()
        zone = {None: "", "Z": "+00:00"}.get(zone, zone)
        if len(zone) == 5:
            zone = zone[:3] + ":" + zone[3:]
        moment = datetime.fromisoformat(f"{day}T{clock or '00:00:00'}.{(fraction or '')[:6]:0<6}{zone}")
    else:
        raise TypeError(f"{value!r} is not an ISO 8601 timestamp")
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise ValueError(f"{value!r} has no UTC offset")
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def new_id(prefix):
    """An opaque, URL-safe, globally unique id with no ':' (ids appear in URLs and keys)."""
    return f"{prefix}_{secrets.token_urlsafe(18)}"


# --- field types ----------------------------------------------------------------------------------

def _timestamp(value):
    try:
        return parse_iso(value)
    except (TypeError, ValueError):
        raise PydanticCustomError("timestamp", "must be an ISO 8601 timestamp") from None


def _not_blank(value):
    if not value.strip():
        raise PydanticCustomError("blank", "may not be blank")
    return value


def _hex_color(value):
    if not HEX_COLOR.match(value):
        raise PydanticCustomError("color", "must be a hex color like #1f6feb")
    return value


def text(max_length=None, *, blank=True):
    """A string (never a number turned into one), at most ``max_length`` long, non-blank unless ``blank``."""
    rules = [str, Strict()]
    if max_length is not None:
        rules.append(StringConstraints(max_length=max_length))
    if not blank:
        rules.append(AfterValidator(_not_blank))
    return Annotated[tuple(rules)]


Timestamp = Annotated[datetime, PlainValidator(_timestamp), PlainSerializer(iso, when_used="json")]
Id = text(blank=False)
Integer = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Strings = list[text()]
HexColor = Annotated[str, Strict(), AfterValidator(_hex_color)]


# --- JSON records ---------------------------------------------------------------------------------

class JsonRecord(BaseModel, Family):
    """Base for the document's records that are JSON strings."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    kind: ClassVar = None
    parent: ClassVar = None
    repo_scope: ClassVar = None
    key_names: ClassVar = ()
    index_names: ClassVar = ()
    export_section: ClassVar = None
    export_as: ClassVar = "list"
    NULLABLE: ClassVar = frozenset()
    ID_PREFIX: ClassVar = None  # records with an opaque id get a new one when built without it

    @model_validator(mode="before")
    @classmethod
    def _give_an_id(cls, data):
        if cls.ID_PREFIX and isinstance(data, dict) and not data.get("id"):
            data = {**data, "id": new_id(cls.ID_PREFIX)}
        return data

    def __init__(self, **values):
        unknown = sorted(set(values) - set(type(self).model_fields))
        if unknown:
            raise ValidationError({name: "is not a field of this record" for name in unknown})
        try:
            super().__init__(**values)
        except PydanticValidationError as error:
            raise ValidationError.from_pydantic(error) from None

    # Tell pydantic this is its own __init__ (as its RootModel does): loading a record
    # (``model_validate``) must not go through the error conversion above.
    __init__.__pydantic_base_init__ = True

    def __setattr__(self, name, value):
        if not name.startswith("_") and name not in type(self).model_fields \
                and name not in (self.__pydantic_extra__ or {}):
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        super().__setattr__(name, value)

    def __repr__(self):
        return f"<{type(self).__name__} {self.key()}>"

    def key(self):
        raise NotImplementedError

    def own_keys(self):
        return [self.key()]

    # --- serialization ----------------------------------------------------------------------

    def validate(self):
        """Check every field (values may have been assigned since the record was built) and adopt
        the parsed values (a timestamp assigned as text becomes a datetime)."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values.update(self.__pydantic_extra__ or {})
        try:
            checked = type(self).model_validate(values)
        except PydanticValidationError as error:
            raise ValidationError.from_pydantic(error) from None
        for name in type(self).model_fields:
            self.__dict__[name] = getattr(checked, name)

    def to_dict(self):
        """The record as the document's JSON object (a dict of JSON values)."""
        data = self.model_dump(mode="json", warnings=False)
        return {name: value for name, value in data.items()
                if value is not None or name in self.NULLABLE or name not in type(self).model_fields}

    def dumps(self):
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data):
        try:
            return cls.model_validate(data)
        except PydanticValidationError as error:
            raise ValidationError.from_pydantic(error) from None

    @classmethod
    def loads(cls, raw):
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValidationError({"record": "must be a JSON object"})
        return cls.from_dict(data)

    def export(self):
        return self.to_dict()

    # --- storage --------------------------------------------------------------------------

    @classmethod
    def get_by_key(cls, key):
        raw = kv.get_client().get(key)
        return None if raw is None else cls.loads(raw)

    @classmethod
    def get_many_by_keys(cls, keys):
        """The records at ``keys`` that exist; one that cannot be read is logged and left out
        (``kv_reindex`` lists such records), so one bad import never breaks a whole list."""
        return cls.parse_many(kv.get_client().mget(keys) if keys else [], keys)

    @classmethod
    def parse_many(cls, raws, keys=()):
        records = []
        for key, raw in zip(keys or [None] * len(raws), raws):
            if raw is None:
                continue
            try:
                records.append(cls.loads(raw))
            except ValueError as error:
                log.warning("unreadable %s at %s: %s", cls.__name__, key, error)
        return records

    def save(self, pipe=None):
        """Validate, then write the record and its indexes atomically (or on ``pipe``)."""
        self.validate()
        with kv.atomic(pipe) as p:
            p.set(self.key(), self.dumps())
            self.add_to_indexes(p)
        return self

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        """Index a record found by ``kv_reindex``; a record without an ``id`` gets one."""
        kind = run.client.type(key)
        if kind != "string":
            run.problem(key, f"expected a JSON string, found a {kind}")
            return None
        raw = run.client.get(key)
        try:
            record = cls.loads(raw)
        except ValueError as error:
            run.problem(key, f"not a readable {cls.__name__}: {error}")
            return None
        if "id" in cls.model_fields and "id" not in json.loads(raw):
            run.client.set(key, record.dumps())
            run.count(f"converted:{name}-id")
        record.add_to_indexes(pipe)
        return record


def pointer_is_stale(client, key):
    """An ``idx:`` key holding another key's name is stale when that key is gone."""
    target = client.get(key)
    return not target or not client.exists(target)


class VoteCounter(Family):
    """A count key (Redis integer) and its voters set, as the document gives both for upvotes.

    One Lua script adds the voter and increments the count only when the voter is new,
    so a visitor counts once however often or concurrently they vote. Subclasses name the
    table rows of the two keys (``key_names``: count first, then voters).
    """

    UPVOTE = """
    local added = redis.call('SADD', KEYS[2], ARGV[1])
    if added == 1 then
        return {1, redis.call('INCR', KEYS[1])}
    end
    return {0, tonumber(redis.call('GET', KEYS[1]) or '0')}
    """
    export_section = "^"

    def __init__(self, count_key, voters_key):
        self.count_key = count_key
        self.voters_key = voters_key

    def own_keys(self):
        return [self.count_key, self.voters_key]

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

    def export(self):
        return {"upvotes": self.count()}

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        """The document's voters are a set; a list stored as JSON becomes one."""
        if name == cls.key_names[-1]:
            try:
                if json_list_to_set(key):
                    run.count("converted:voters")
            except ValueError as error:
                run.problem(key, f"unreadable voters list: {error}")
