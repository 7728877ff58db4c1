"""Reading a GitHub pull request like a maintainer would: pure functions, no storage.

``entry_fields(pr, rules)`` turns a PR object (webhook ``pull_request`` or a REST ``pulls``
item) into the entry fields the document gives, or a ``Skip`` saying why it has no entry.
docs/webhooks.md describes the rules.
"""

import re
from dataclasses import dataclass, field

from changelog_site.kv.records import iso, parse_iso
from entries.models import BODY_MAX, TITLE_MAX

# Labels and conventional-commit types -> category. Keys are normalised (see ``_norm``).
DEFAULT_LABEL_CATEGORIES = {
    "feature": "New", "enhancement": "New", "feat": "New", "new": "New", "new-feature": "New",
    "bug": "Fixed", "fix": "Fixed", "bugfix": "Fixed", "hotfix": "Fixed", "regression": "Fixed",
    "perf": "Improved", "performance": "Improved", "improvement": "Improved", "refactor": "Improved",
    "optimization": "Improved", "improved": "Improved",
}
DEFAULT_PREFIX_CATEGORIES = {
    "feat": "New", "feature": "New",
    "fix": "Fixed", "bugfix": "Fixed", "hotfix": "Fixed",
    "perf": "Improved", "refactor": "Improved", "improvement": "Improved", "improve": "Improved",
}
CATEGORIES = ("New", "Fixed", "Improved", "Other")
ALWAYS_SKIP_LABELS = ("no-notes", "chore", "release-note-none")
DEFAULT_SKIP_LABEL = "skip-changelog"
DEFAULT_BOT_PATTERNS = ("[bot]",)
NONE_NOTES = {"none", "n/a", "na"}

CONVENTIONAL = re.compile(r"^\s*([A-Za-z]+)(?:\([^)]*\))?!?:\s*\S")
REVERT_TITLE = re.compile(r'^\s*(?:Revert\s+"|revert(?:\([^)]*\))?!?:)', re.IGNORECASE)
REVERTS_PR = re.compile(r"\bReverts\s+(?:[\w.-]+/[\w.-]+)?#(\d+)", re.IGNORECASE)
FENCED_NOTE = re.compile(r"^\s*```+\s*release[-_ ]?notes?\s*\n(.*?)^\s*```+", re.IGNORECASE | re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
NOTE_HEADING = re.compile(r"^release[-_ ]?notes?\s*:?$", re.IGNORECASE)
INLINE_NOTE = re.compile(r"^\s*(?:\*\*|__)?release[-_ ]?notes?(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(.*)$", re.IGNORECASE)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class Rules:
    """A user's per-repository rules (github_sync.models.SyncSettings.rules())."""

    skip_label: str = DEFAULT_SKIP_LABEL
    skip_bots: bool = True
    bot_patterns: tuple = DEFAULT_BOT_PATTERNS
    label_categories: dict = field(default_factory=dict)
    prefix_categories: dict = field(default_factory=dict)


@dataclass
class Skip:
    reason: str


class PayloadError(ValueError):
    """The payload lacks what the event needs (answered 400)."""


def _norm(text):
    text = (text or "").strip().lower()
    text = re.sub(r"^(type|kind|t|area|category)\s*[:/]\s*", "", text)
    return re.sub(r"[\s_]+", "-", text)


def category_for(title, labels, rules=None):
    """Labels first (the PR's order), then the conventional-commit prefix of the title, else Other."""
    rules = rules or Rules()
    label_map = {**DEFAULT_LABEL_CATEGORIES, **{_norm(k): v for k, v in rules.label_categories.items()}}
    prefix_map = {**DEFAULT_PREFIX_CATEGORIES, **{_norm(k): v for k, v in rules.prefix_categories.items()}}
    for label in labels:
        category = label_map.get(_norm(label))
        if category in CATEGORIES:
            return category
    match = CONVENTIONAL.match(title or "")
    if match:
        category = prefix_map.get(match.group(1).lower())
        if category in CATEGORIES:
            return category
    return "Other"


def _clean(text):
    return HTML_COMMENT.sub("", text).strip()


def release_note(body):
    """The release-note block of a PR body, or None when it has none (or an empty one)."""
    body = (body or "").replace("\r\n", "\n")
    fenced = FENCED_NOTE.search(body)
    if fenced and _clean(fenced.group(1)):
        return _clean(fenced.group(1))
    lines = body.split("\n")
    for index, line in enumerate(lines):
        heading = HEADING.match(line)
        if heading and NOTE_HEADING.match(heading.group(2).strip("*_ ")):
            level, section = len(heading.group(1)), []
            for following in lines[index + 1:]:
                inner = HEADING.match(following)
                if inner and len(inner.group(1)) <= level:
                    break
                section.append(following)
            text = _clean("\n".join(section))
            if text:
                return text
            continue
        inline = INLINE_NOTE.match(line)
        if inline:
            section = [inline.group(1)] if inline.group(1).strip() else []
            for following in lines[index + 1:]:
                if not following.strip():
                    if section:
                        break
                    continue
                if HEADING.match(following):
                    break
                section.append(following)
            text = _clean("\n".join(section))
            if text:
                return text
    return None


def revert_of(title, body):
    """``(is_revert, reverted_pr_number_or_None)``."""
    if not REVERT_TITLE.match(title or ""):
        return False, None
    match = REVERTS_PR.search(body or "")
    return True, int(match.group(1)) if match else None


def is_bot(user, rules):
    login = (user or {}).get("login") or ""
    if (user or {}).get("type") == "Bot":
        return True
    return any(pattern and pattern.lower() in login.lower() for pattern in rules.bot_patterns)


def _require(obj, *names):
    for name in names:
        if not isinstance(obj, dict) or name not in obj:
            raise PayloadError(f"pull_request.{name} is missing")
    return obj


def entry_fields(pr, rules=None):
    """The document's entry fields for a merged PR, or ``Skip(reason)``.

    Raises ``PayloadError`` when the PR object lacks a field we need.
    """
    rules = rules or Rules()
    _require(pr, "number", "title", "html_url", "user", "merged_at")
    if not isinstance(pr["number"], int) or not isinstance(pr["title"], str) or not isinstance(pr["user"], dict):
        raise PayloadError("pull_request has fields of the wrong type")
    if not pr["merged_at"]:
        return Skip("not_merged")
    labels = [label.get("name", "") if isinstance(label, dict) else str(label) for label in pr.get("labels") or []]
    normalised = {_norm(label) for label in labels}
    skip_labels = {_norm(name) for name in ALWAYS_SKIP_LABELS}
    if rules.skip_label:
        skip_labels.add(_norm(rules.skip_label))
    if normalised & skip_labels:
        return Skip("skip_label")
    if rules.skip_bots and is_bot(pr["user"], rules):
        return Skip("bot_author")
    raw_body = pr.get("body") or ""
    note = release_note(raw_body)
    if note is not None and note.strip("` \n*_.").lower() in NONE_NOTES:
        return Skip("release_note_none")
    try:
        merged_at = iso(parse_iso(pr["merged_at"]))
    except (TypeError, ValueError) as error:
        raise PayloadError("pull_request.merged_at is not a timestamp") from error
    revert, reverts = revert_of(pr["title"], raw_body)
    return {
        "title": pr["title"].strip()[:TITLE_MAX] or f"PR #{pr['number']}",
        "body": (note if note is not None else raw_body)[:BODY_MAX],
        "category": category_for(pr["title"], labels, rules),
        "mergedAt": merged_at,
        "prUrl": pr["html_url"],
        "author": pr["user"].get("login") or "",
        "labels": labels,
        "_revert": revert,
        "_revertsPr": reverts,
    }
