"""Rendered public bodies (changelog pages, entry pages, feeds, sitemaps), kept in Redis and
served in one round trip, the entry page's view counted in it.

A body is rendered once and stored in ``cache:changelog-body:{repoId}:{variant}`` (a hash with a
TTL) together with the repository's changelog version and connected users it was built for, and
is served only while both still match: a publish, unpublish, edit of a published entry, branding
or release change (each bumps the version in the same transaction as its write) or a disconnect
is seen by the next request. The version is kept beside the body rather than in its key: a key
naming the version would need the version read first, a round trip more; a rebuilt body simply
replaces the stale one at the same key.

What differs per request stays a slot in the stored body: the CSP nonce and the live upvote
counts. Round trip one is one pipeline: the version, the users, the stored body's fields and, when
this process served the page before (``_hints``), the counts of the entries it shows and, on an
entry page, the reader's view (``view_counts.COUNT_VIEW_IF_CURRENT``, which checks in the same
atomic step that the stored body is current and is that entry's page). The body's text itself is
kept per process too, split at its slots, under its ETag (``_templates``), so a hit neither
transfers nor scans it. A page this process has not served at this version costs a second round
trip; a stale body, a render.
"""

import hashlib
import re
import secrets
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import redis

from changelog_site import front
from changelog_site.kv import client as kv
from changelog_site.kv import hot, keys
from engagement.view_counts import (COUNT_VIEW, COUNT_VIEW_IF_CURRENT, COUNT_VIEW_IF_CURRENT_SHA, COUNT_VIEW_SHA,
                                    NOT_CURRENT, SERVE_HIT, SERVE_HIT_SHA, View, page_view_record)

__all__ = ["Body", "Served", "View", "changelog_invalidate", "changelog_version", "page_view_record", "serve"]

FIELDS = ("version", "users", "token", "counted", "entry", "etag")
NONCE = "nonce"
HINTS_MAX = 4096
TEMPLATES_MAX = 256

# (repoId, variant) -> Hint: what this process last served there. It lets round trip one carry the
# counts and the view; a wrong hint costs a second round trip, never a wrong count.
_hints = {}
# ETag -> Template: stored bodies split at their slots, the most recently used kept.
_templates = OrderedDict()


# --- versions ---------------------------------------------------------------------------------

def changelog_version(*, repo_id):
    """The repository's current changelog version (a string of digits); created on first use."""
    return kv.get_client().get(keys.cache_changelog_version(repo_id)) or _new_version(repo_id)


def _new_version(repo_id):
    """A version for a repository that has none (never set, or expired after
    ``keys.CHANGELOG_VERSION_SECONDS``); concurrent callers agree on one (SET NX)."""
    key = keys.cache_changelog_version(repo_id)
    client = kv.get_client()
    client.set(key, str(time.time_ns()), nx=True, ex=keys.CHANGELOG_VERSION_SECONDS)
    return client.get(key)


def changelog_invalidate(*, repo_id, pipe=None):
    """Retire every cached page, feed and sitemap of ``repo_id``'s public changelog.

    ``Entry.save`` does this itself when what readers see changed; call it for anything else that
    changes the pages (branding, releases). Pass ``pipe`` to make it part of your own MULTI. One SET.
    """
    with kv.atomic(pipe) as p:
        p.set(keys.cache_changelog_version(repo_id), str(time.time_ns()), ex=keys.CHANGELOG_VERSION_SECONDS)


def version_moment(version):
    return datetime.fromtimestamp(int(version) / 1e9, tz=timezone.utc).replace(microsecond=0)


# --- bodies -----------------------------------------------------------------------------------

@dataclass
class Body:
    """A rendered body with slots: ``slot(token, NONCE)`` for the CSP nonce, ``slot(token, "c{n}")``
    for the upvote count of ``counted[n]``. ``entry`` is the entry whose page this is ("" for others)."""

    text: str
    token: str
    counted: list = field(default_factory=list)
    entry: str = ""
    etag: str = ""


@dataclass
class Served:
    body: bytes
    etag: str
    last_modified: datetime
    front: object = None  # the front door's responder for this page (``front_responder``)


@dataclass
class Hint:
    counted: list
    count_keys: list
    entry: str
    etag: str


class Template:
    """A body split at its slots: literal byte strings around slot names."""

    def __init__(self, token, text):
        parts = re.split(rf"@{re.escape(token)}:(\w+)@", text) if token else [text]
        self.literals = [part.encode() for part in parts[0::2]]
        self.slots = parts[1::2]
        self.pairs = list(zip(self.slots, self.literals[1:]))
        self.has_nonce = NONCE in self.slots

    def fill(self, values):
        """The body with each slot replaced by ``values[name]`` (bytes; missing: empty)."""
        out = [self.literals[0]]
        for name, literal in self.pairs:
            out.append(values.get(name, b""))
            out.append(literal)
        return b"".join(out)


def new_token():
    return secrets.token_hex(8)


def slot(token, name):
    """A placeholder only this build knows (the token is random), filled on every request."""
    return f"@{token}:{name}@"


def _users_signature(user_ids):
    return ",".join(sorted(user_ids))


def _digest(*parts):
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:24]


def _template(etag, token, text=None):
    """The split body of ``etag``: kept, or made from ``text`` (None when neither)."""
    template = _templates.get(etag)
    if template is not None:
        try:
            _templates.move_to_end(etag)
        except KeyError:  # another thread evicted it meanwhile: still good for this request
            pass
        return template
    if text is None:
        return None
    template = _templates[etag] = Template(token, text)
    if len(_templates) > TEMPLATES_MAX:
        try:
            _templates.popitem(last=False)
        except KeyError:  # another thread emptied it meanwhile
            pass
    return template


def store(repo_id, variant, version, user_ids, body):
    body.etag = _digest(version, body.text)
    key = keys.cache_changelog_body(repo_id, variant)
    pipe = kv.get_client().pipeline(transaction=True)
    pipe.hset(key, mapping={"version": version, "users": _users_signature(user_ids), "body": body.text,
                            "token": body.token, "counted": ",".join(body.counted), "entry": body.entry,
                            "etag": body.etag})
    pipe.expire(key, keys.CHANGELOG_BODY_SECONDS)
    pipe.execute()


def _raise_errors(results):
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, redis.exceptions.NoScriptError):
            raise result


def _fetch(repo_id, variant, hint, view):
    """Round trip one. Returns ``(version, user_ids, stored fields or None, counts or None, viewed)``:
    the stored fields (with ``body`` when asked for) only while current; the hinted counts only when
    the stored body still shows those entries."""
    body_key, version_key, users_key = (keys.cache_changelog_body(repo_id, variant),
                                        keys.cache_changelog_version(repo_id), keys.idx_repo_users(repo_id))
    fields = FIELDS if hint is not None and hint.etag in _templates else (*FIELDS, "body")
    count_view = view is not None and hint is not None and bool(hint.entry)
    pipe = kv.get_client().pipeline(transaction=False)
    pipe.get(version_key)
    pipe.smembers(users_key)
    pipe.hmget(body_key, *fields)
    if count_view:
        script_keys, args = view.script_call(hint.entry)
        script_keys = [version_key, users_key, body_key, *script_keys]
        pipe.evalsha(COUNT_VIEW_IF_CURRENT_SHA, len(script_keys), *script_keys, *args)
    if hint is not None and hint.count_keys:
        pipe.mget(hint.count_keys)
    results = pipe.execute(raise_on_error=False)
    _raise_errors(results)
    version, user_ids, values, *extra = results
    viewed = False
    if count_view:
        outcome = extra.pop(0)
        if isinstance(outcome, redis.exceptions.NoScriptError):  # first use on this server: nothing ran
            kv.get_client().script_load(COUNT_VIEW_IF_CURRENT)
        else:
            viewed = outcome != NOT_CURRENT
    user_ids = sorted(user_ids)
    if version is None:
        return _new_version(repo_id), user_ids, None, None, viewed
    stored = dict(zip(fields, values))
    if stored["etag"] is None or stored["version"] != version or stored["users"] != _users_signature(user_ids):
        return version, user_ids, None, None, viewed
    stored["counted"] = stored["counted"].split(",") if stored["counted"] else []
    counts = None
    if hint is not None and stored["counted"] == hint.counted and stored["entry"] == hint.entry:
        counts = [int(count or 0) for count in extra[0]] if hint.count_keys else []
    return version, user_ids, stored, counts, viewed


def _second_trip(repo_id, variant, counted, entry, view, want_body):
    """Round trip two, for what round trip one could not do: the counts, the view, the body's text."""
    pipe = kv.get_client().pipeline(transaction=False)
    if view is not None and entry:
        script_keys, args = view.script_call(entry)
        pipe.evalsha(COUNT_VIEW_SHA, len(script_keys), *script_keys, *args)
    if counted:
        pipe.mget([keys.entry_upvotes(entry_id) for entry_id in counted])
    if want_body:
        pipe.hmget(keys.cache_changelog_body(repo_id, variant), "etag", "body")
    results = pipe.execute(raise_on_error=False) if len(pipe) else []
    _raise_errors(results)
    if view is not None and entry and isinstance(results[0], redis.exceptions.NoScriptError):
        kv.run_script(COUNT_VIEW, keys=script_keys, args=args)  # loads it, then counts
    etag_and_text = results.pop() if want_body else None
    counts = [int(count or 0) for count in results[-1]] if counted else []
    return counts, etag_and_text


def serve(*, repo_id, variant, build, nonce=lambda: "", view=None, not_found):
    """The body of ``variant`` filled for this request: ``Served`` (body bytes, ETag, Last-Modified).

    ``build(version, user_ids)`` renders a ``Body`` when the stored one is missing or stale;
    ``nonce()`` gives this response's CSP nonce (asked only when the body has a slot for it);
    ``view`` (a ``View``) is counted for an entry page. Raises ``not_found()`` when nobody has the
    repository connected."""
    hint = _hints.get((repo_id, variant))
    version, user_ids, stored, counts, viewed = _fetch(repo_id, variant, hint, view)
    if not user_ids:
        raise not_found()
    if stored is None:
        body = build(version, user_ids)
        store(repo_id, variant, version, user_ids, body)
        stored = {"token": body.token, "counted": body.counted, "entry": body.entry, "etag": body.etag}
        template = _template(body.etag, body.token, body.text)
    else:
        template = _template(stored["etag"], stored["token"], stored.get("body"))
    pending_view = view if view is not None and stored["entry"] and not viewed else None
    if counts is None or pending_view is not None or template is None:
        live, etag_and_text = _second_trip(repo_id, variant, stored["counted"] if counts is None else [],
                                           stored["entry"], pending_view, template is None)
        counts = live if counts is None else counts
        if template is None:
            etag, text = etag_and_text
            if etag != stored["etag"] or text is None:  # rebuilt or expired meanwhile: again (the view is counted)
                return serve(repo_id=repo_id, variant=variant, build=build, nonce=nonce, not_found=not_found)
            template = _template(etag, stored["token"], text)
    if hint is None or hint.etag != stored["etag"] or hint.counted != stored["counted"]:
        if len(_hints) >= HINTS_MAX:
            _hints.clear()
        _hints[(repo_id, variant)] = Hint(counted=stored["counted"], entry=stored["entry"], etag=stored["etag"],
                                          count_keys=[keys.entry_upvotes(entry_id) for entry_id in stored["counted"]])
    body, etag = _filled(template, stored["etag"], counts, nonce)
    return Served(body=body, etag=etag, last_modified=version_moment(version),
                  front=front_responder(repo_id=repo_id, variant=variant))


def _filled(template, stored_etag, counts, nonce):
    """``(body, ETag)`` of the stored body ``template`` with these counts and ``nonce()`` (asked
    only when the body has a slot for it). The ETag is the stored body's and, when it shows
    counts, a checksum of them."""
    values = {f"c{index}": str(count).encode() for index, count in enumerate(counts)}
    if template.has_nonce:
        values[NONCE] = nonce().encode()
    if not counts:
        return template.fill(values), f'W/"{stored_etag}"'
    return template.fill(values), f'W/"{stored_etag}-{zlib.crc32(",".join(map(str, counts)).encode()):08x}"'


# --- the front door ---------------------------------------------------------------------------

def front_responder(*, repo_id, variant):
    """The front door's responder for this page (``changelog_site.front``): one round trip on this
    thread's connection, the ``SERVE_HIT`` script, which checks that the body this process holds
    is still the current one and, on an entry page, counts the reader's view (``View.for_reader``:
    not a bot's), and an MGET of the upvote counts the body shows; None (Django answers) unless
    that body is current."""
    scope = (repo_id, variant)
    fixed_keys = [keys.cache_changelog_version(repo_id), keys.idx_repo_users(repo_id),
                  keys.cache_changelog_body(repo_id, variant)]

    def respond(environ, nonce):
        hint = _hints.get(scope)
        template = _template(hint.etag, None) if hint is not None else None
        if template is None:
            return None
        view = View.for_reader(front.EnvironRequest(environ), repo_id) if hint.entry else None
        view_keys, view_args = view.script_call(hint.entry) if view is not None else ([], [])
        hit = ("EVALSHA", SERVE_HIT_SHA, 3 + len(view_keys), *fixed_keys, *view_keys,
               hint.etag, "1" if view is not None else "0", *view_args)
        replies = hot.pipeline(hit, *([("MGET", *hint.count_keys)] if hint.count_keys else []),
                               scripts={SERVE_HIT_SHA: SERVE_HIT})
        errors = [reply for reply in replies if isinstance(reply, Exception)]
        if errors:
            raise errors[0]
        version = replies[0]
        if not version:
            return None
        counts = [int(count or 0) for count in replies[1]] if hint.count_keys else []
        body, etag = _filled(template, hint.etag, counts, lambda: nonce)
        return front.Reply(body=body, etag=etag, last_modified=int(version) // 10**9)
    return respond
