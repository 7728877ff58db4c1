"""What Shiplog keeps beside an entry about closing the loop on GitHub (docs/github-loop.md): the
issues its pull request fixes, the people to thank for it, and what was posted back to GitHub
when it was published. The entry's JSON stays exactly the document's ``ChangelogEntry``.

Three ``meta:`` keys per entry, each one JSON string (read for a whole page with one ``MGET``):

* ``meta:entry-fixes:{entryId}``: ``[{"number", "title", "state"}]``, ``state`` ``pending`` (title
  not fetched yet), ``found``, ``missing`` (deleted or not visible to the token) or ``private`` (a
  private repository's issue: its title is never fetched); all but ``found`` show as a plain
  number. Issue links are derived from the entry's ``prUrl``, so no value names the repository
  and a rename has nothing to rewrite;
* ``meta:entry-credits:{entryId}``: ``{"author": {"login"} | null, "coAuthors": [{"login", "name"}],
  "firstContribution": bool}``, bots already left out;
* ``meta:entry-shipped:{entryId}``: the "Shipped in" comments and labels posted for the entry
  (``github_sync.services.shipped`` writes it, the editor shows it).

They form ``EntryGitHubLoop``, part of the entry's registered family: discarding the entry, deleting
the account and the GDPR export reach them.
"""

import json
import re

from django.urls import reverse

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import parse_iso
from changelog_site.kv.registry import MERGE, OnePerParent, registry

FIXES_MAX = 30
CO_AUTHORS_MAX = 20
FIX_STATES = ("pending", "found", "missing", "private")
PULL_PATH = re.compile(r"^(?P<base>https?://[^/]+/[^/]+/[^/]+)/pull/\d+/?$")


def _loads(raw, default):
    try:
        value = json.loads(raw) if raw else default
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def _dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@registry.register
class EntryGitHubLoop(OnePerParent):
    """``meta:entry-fixes:``, ``meta:entry-credits:`` and ``meta:entry-shipped:`` of one entry."""

    parent = "entry"
    export_section = MERGE
    id_name = "entry_id"

    def own_keys(self):
        return [keys.meta_entry_fixes(self.entry_id), keys.meta_entry_credits(self.entry_id),
                keys.meta_entry_shipped(self.entry_id)]

    def export(self):
        fixes, credits, shipped = kv.get_client().mget(self.own_keys())
        found = {"fixedIssues": _loads(fixes, []) if fixes else None, "contributors": _loads(credits, {}) or None,
                 "shippedOnGitHub": _loads(shipped, {}) or None}
        return {name: value for name, value in found.items() if value is not None}


# --- reading ---------------------------------------------------------------------------------------

def issue_url(pr_url, number):
    """The issue's page on GitHub, from the entry's PR URL (same host and repository), or None."""
    match = PULL_PATH.match(pr_url or "")
    return f"{match.group('base')}/issues/{int(number)}" if match else None


def fixes_present(fixes, pr_url):
    """The fixed issues as pages show them: ``[{"number", "title", "url"}]``; a missing or private
    issue (no title) is a plain number, without a link."""
    shown = []
    for fix in fixes or []:
        title = fix.get("title") if fix.get("state") == "found" else None
        url = issue_url(pr_url, fix["number"]) if title else None
        shown.append({"number": fix["number"], "title": title, "url": url})
    return shown


def credits_present(credits):
    """``[{"login", "name", "first"}]``: the author first, then the co-authors."""
    credits = credits or {}
    people = []
    author = credits.get("author")
    if author and author.get("login"):
        people.append({"login": author["login"], "name": None, "first": bool(credits.get("firstContribution"))})
    for person in credits.get("coAuthors") or []:
        if person.get("login") or person.get("name"):
            people.append({"login": person.get("login"), "name": person.get("name"), "first": False})
    return people


def loops_read(entries):
    """``{entry id: {"fixes": [...], "credits": [...]}}`` for ``entries`` as pages show them
    (``fixes_present``, ``credits_present``), in one ``MGET``."""
    if not entries:
        return {}
    names = [name for entry in entries for name in (keys.meta_entry_fixes(entry.id), keys.meta_entry_credits(entry.id))]
    raws = kv.get_client().mget(names)
    found = {}
    for position, entry in enumerate(entries):
        fixes, credits = raws[2 * position], raws[2 * position + 1]
        found[entry.id] = {"fixes": fixes_present(_loads(fixes, []), entry.prUrl),
                           "credits": credits_present(_loads(credits, {}))}
    return found


def group_contributors(loops):
    """The people to thank for a group of entries (``loops_read`` values), each once, in order of
    appearance; ``first`` when any of their entries was a first contribution."""
    people, by_key = [], {}
    for loop in loops:
        for person in loop["credits"]:
            key = (person["login"] or "").lower() or "name:" + (person["name"] or "").lower()
            if key in by_key:
                by_key[key]["first"] = by_key[key]["first"] or person["first"]
                continue
            by_key[key] = dict(person)
            people.append(by_key[key])
    return people


def loop_recorded(entry_id):
    """Whether the entry's fixed issues and credits were recorded (the credits key is always written)."""
    return bool(kv.get_client().exists(keys.meta_entry_credits(entry_id)))


def fixes_get(entry_id, reader=None):
    return _loads((reader or kv.get_client()).get(keys.meta_entry_fixes(entry_id)), [])


def shipped_get(entry_id):
    """What the "Shipped in" job last recorded for the entry, or ``{}``."""
    return _loads(kv.get_client().get(keys.meta_entry_shipped(entry_id)), {})


TARGET_STATES = {"posted": "Commented", "updated": "Comment updated", "failed": "Not posted",
                 "not_found": "Gone on GitHub", "deleted_on_github": "Comment deleted on GitHub"}


def shipped_present(entry, record):
    """The "Shipped in" record as the editor shows it: ``{"state", "detail", "updatedAt", "targets":
    [{"number", "kind", "state", "label", "commentUrl", "detail"}]}`` (links derived from the PR URL)."""
    targets = []
    ordered = sorted((record.get("targets") or {}).items(),  # the issues by number, then the PR
                     key=lambda item: (item[1].get("kind") == "pr", int(item[0])))
    for number, target in ordered:
        base = entry.prUrl if target.get("kind") == "pr" else issue_url(entry.prUrl, number)
        comment_id = target.get("commentId")
        targets.append({"number": int(number), "kind": target.get("kind", "issue"),
                        "state": TARGET_STATES.get(target.get("state"), "Pending"), "label": target.get("label"),
                        "commentUrl": f"{base}#issuecomment-{comment_id}" if base and comment_id else None,
                        "detail": target.get("detail") or ""})
    try:
        updated_at = parse_iso(record["updatedAt"]) if record.get("updatedAt") else None
    except (TypeError, ValueError):
        updated_at = None
    return {"state": record.get("state") or "", "detail": record.get("detail") or "",
            "updatedAt": updated_at, "targets": targets}


def editor_view(entry):
    """Everything the editor shows about the entry's loop: fixes, credits and what was posted."""
    fixes, credits, shipped = kv.get_client().mget(EntryGitHubLoop(entry.id).own_keys())
    stored = _loads(fixes, [])
    shown = fixes_present(stored, entry.prUrl)
    for fix, state in zip(shown, (item.get("state") for item in stored)):
        fix["state"] = state
    owner, name = entry.repoId.split("/", 1)
    return {"fixes": shown, "credits": credits_present(_loads(credits, {})),
            "recorded": credits is not None, "shipped": shipped_present(entry, _loads(shipped, {})),
            "settingsUrl": reverse("repo-sync-settings", kwargs={"owner": owner, "repo": name})}


# --- writing ---------------------------------------------------------------------------------------

def fixes_merge(numbers, before):
    """The fixed issues for ``numbers`` (sorted, at most ``FIXES_MAX``), keeping what was already
    fetched for a number (so a title is fetched once); new numbers are ``pending``."""
    known = {fix.get("number"): fix for fix in before if isinstance(fix, dict)}
    merged = []
    for number in sorted(set(numbers))[:FIXES_MAX]:
        fix = known.get(number)
        merged.append(dict(fix) if fix and fix.get("state") in FIX_STATES else {"number": number, "title": None,
                                                                              "state": "pending"})
    return merged


def loop_queue(pipe, entry, numbers, credits, before=()):
    """Queue on ``pipe`` (a MULTI) the writes recording ``entry``'s fixed issues (merged with
    ``before``, what was stored, so titles already fetched stay) and credits; a published entry's
    changelog gets a new version with them. Returns the fixes as they will be stored."""
    fixes = fixes_merge(numbers, before)
    if fixes:
        pipe.set(keys.meta_entry_fixes(entry.id), _dumps(fixes))
    elif before:
        pipe.delete(keys.meta_entry_fixes(entry.id))
    pipe.set(keys.meta_entry_credits(entry.id), _dumps(credits))
    if entry.status == "published":
        entry._bump_changelog(pipe)
    return fixes


def loop_write(*, entry, numbers, credits):
    """``loop_queue`` in a WATCH/MULTI of its own (for an entry written earlier). Returns the fixes."""
    fixes_key = keys.meta_entry_fixes(entry.id)

    def apply(pipe):
        before = fixes_get(entry.id, pipe)
        pipe.multi()
        return loop_queue(pipe, entry, numbers, credits, before)

    return kv.transaction(apply, fixes_key)


def fix_titles_write(*, entry, titles, state_without_title="missing"):
    """Store fetched titles (``{number: title or None}``; None: ``state_without_title``), in one
    WATCH/MULTI; numbers no longer among the entry's fixes are left out."""
    fixes_key = keys.meta_entry_fixes(entry.id)

    def apply(pipe):
        fixes = fixes_get(entry.id, pipe)
        for fix in fixes:
            if fix["number"] in titles:
                title = titles[fix["number"]]
                fix.update(title=title[:300] if title else None, state="found" if title else state_without_title)
        pipe.multi()
        if fixes:
            pipe.set(fixes_key, _dumps(fixes))
        if entry.status == "published":
            entry._bump_changelog(pipe)
        return fixes

    return kv.transaction(apply, fixes_key)


def shipped_write(entry_id, record):
    kv.get_client().set(keys.meta_entry_shipped(entry_id), _dumps(record))
