"""The built-in writer: what "Rewrite with AI" does when no AI provider is configured.

A deterministic, honest version of the AI's job: turn a pull request's title and body into one
or two sentences a reader of the changelog cares about.

* The title loses what readers never need: conventional-commit prefixes (``feat(api)!:``),
  ticket ids (``[ABC-123]``, ``#42``, ``GH-7``), branch-name titles (``feature/dark-mode``).
* It leads with what changed for the reader, by category: ``You can now …`` for a feature,
  ``Fixed: …`` for a fix, ``Improved: …`` for an improvement.
* The body adds its first useful paragraph: PR template boilerplate (HTML comments, checklists,
  "Testing"/"Screenshots" sections, template prompts), images, code and issue references go.
* A dependency bump (Dependabot, Renovate, "Upgrade to Django 5.2") becomes one line, "Updated
  Django to 5.2.", without the release notes, commit lists and bot instructions.
"""

import re

MAX_CHARS = 600

CONVENTIONAL_PREFIX = re.compile(r"^\s*(?:\[[^\]]+\]\s*)?(?:[a-z]+)(?:\([^)]*\))?!?:\s*", re.IGNORECASE)
CONVENTIONAL_TYPE = re.compile(r"^\s*(?:\[[^\]]+\]\s*)?([a-z]+)(?:\([^)]*\))?!?:", re.IGNORECASE)
BRANCH_TITLE = re.compile(r"^(?:feature|feat|fix|bugfix|hotfix|chore|docs)/(\S+)$", re.IGNORECASE)
# Ticket ids: bracketed anywhere (``[WEB-12]``, ``(WEB-12)``), bare only as a title's lead-in
# (``WEB-12: …``, ``WEB-12 - …``), so ``UTF-8`` or ``SHA-256`` in a sentence stay.
TICKET_ID = re.compile(r"\[\s*[A-Z][A-Z0-9]{1,9}-\d+\s*\]:?|\(\s*[A-Z][A-Z0-9]{1,9}-\d+\s*\)|"
                       r"^\s*[A-Z][A-Z0-9]{1,9}-\d+\s*(?::|\s-\s)|\bGH-\d+\b")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
FENCED_CODE = re.compile(r"```.*?```", re.DOTALL)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
DETAILS = re.compile(r"<details\b.*?</details>", re.IGNORECASE | re.DOTALL)
HTML_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
CHECKLIST_ITEM = re.compile(r"^\s*[-*]\s*\[[ xX]\]")
ISSUE_REFERENCE = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|related to|see|part of)\b:?\s+"
    r"(?:[\w.-]+/[\w.-]+)?#\d+[.,]?|(?:https?://github\.com/\S+/(?:issues|pull)/\d+)|(?<!\w)#\d+\b",
    re.IGNORECASE)
BOILERPLATE_HEADINGS = re.compile(
    r"^(?:checklist|testing|test plan|how (?:has this been|to) test(?:ed)?|screenshots?|"
    r"type of change|related issues?|notes? (?:for|to) reviewers?|reviewers?|additional context|"
    r"dependencies|breaking changes? checklist|pr checklist|todo|release notes|changelog|commits)\b",
    re.IGNORECASE)
DESCRIPTION_HEADINGS = re.compile(r"^(?:description|summary|what(?:'s| is| does)?|changes?|why|motivation|"
                                  r"what changed|overview|context)\b", re.IGNORECASE)
TEMPLATE_PROMPTS = re.compile(r"^(?:please (?:include|describe|delete|check)|describe your changes|"
                              r"fixes # \(issue\))", re.IGNORECASE)

DEPENDENCY_BUMPS = [
    # Dependabot: "Bump lodash from 4.17.20 to 4.17.21 in /web"
    re.compile(r"^bumps? (?P<name>\S+) from \S+ to (?P<version>\S+)", re.IGNORECASE),
    # Renovate: "Update dependency eslint to v9", "Update actions/checkout action to v4"
    re.compile(r"^update (?:dependency |module )?(?P<name>\S+)(?: action| docker tag)? to (?P<version>v?\d\S*)",
               re.IGNORECASE),
    # People: "Upgrade to Django 5.2", "Upgrade React to 19"
    re.compile(r"^upgrade (?:to )?(?P<name>[\w.@/-]+) (?:to )?v?(?P<version>\d[\w.-]*)", re.IGNORECASE),
]
GROUPED_BUMP = re.compile(r"^bump(?:s)? the \S+ group|^update (?:all )?(?:non-major )?dependencies", re.IGNORECASE)

FEATURE_TYPES = {"feat", "feature", "add"}
FIX_TYPES = {"fix", "bugfix", "hotfix", "bug"}
IMPROVEMENT_TYPES = {"perf", "refactor", "improve", "improvement", "style"}
ADD_VERB = re.compile(r"^(?:add(?:s|ed)?|introduce[sd]?|implement(?:s|ed)?|enable[sd]?|support(?:s|ed)?|new)\s+"
                      r"(?:(?:support|the ability) (?:for|to)\s+|(?:a|an|the)\s+(?=\w))?", re.IGNORECASE)
ALLOW_VERB = re.compile(r"^(?:allow|let)s?\s+(?:users?|you|people|customers?|admins?)\s+(?:to\s+)?", re.IGNORECASE)
FIX_VERB = re.compile(r"^(?:fix(?:es|ed)?|resolve[sd]?|correct(?:s|ed)?)\s+(?:a |an |the )?(?:bug (?:where|with|in) )?",
                      re.IGNORECASE)
IMPROVE_VERB = re.compile(r"^(?:improve[sd]?|speed up|optimi[sz]e[sd]?)\s+", re.IGNORECASE)
READER_ACTIONS = {"archive", "export", "import", "search", "filter", "sort", "share", "invite", "upload",
                  "download", "edit", "delete", "create", "schedule", "connect", "sync", "pin", "tag", "copy",
                  "duplicate", "bulk", "preview", "restore", "undo", "move", "rename", "print", "subscribe",
                  "switch", "choose", "pick", "set", "change", "customize", "customise", "view", "see", "add"}


def clean_title(title):
    """``feat(api)!: add dark mode [WEB-12] (#42)`` -> ``Add dark mode``."""
    text = (title or "").strip()
    branch = BRANCH_TITLE.match(text)
    if branch:
        text = re.sub(r"[-_]+", " ", branch.group(1))
    text = CONVENTIONAL_PREFIX.sub("", text, count=1).strip()
    text = TICKET_ID.sub("", text)
    text = ISSUE_REFERENCE.sub("", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"\s{2,}", " ", text).strip(" -–:(),.")
    return text[:1].upper() + text[1:] if text else (title or "").strip()


def _lower_first(text):
    """Lower-case the first word unless it looks like a name (``CSV``, ``GitHub``, ``iOS``)."""
    word = text.split(" ", 1)[0]
    if any(character.isupper() for character in word[1:]):
        return text
    return text[:1].lower() + text[1:]


def _kind(title, category):
    """New, Fixed, Improved or Other: the title's conventional-commit type when it has a known
    one (``fix: …``), else the entry's category."""
    match = CONVENTIONAL_TYPE.match(title or "")
    kind = match.group(1).lower() if match else ""
    if kind in FEATURE_TYPES | FIX_TYPES | IMPROVEMENT_TYPES:
        return "New" if kind in FEATURE_TYPES else "Fixed" if kind in FIX_TYPES else "Improved"
    return category if category in ("New", "Fixed", "Improved") else "Other"


def _lead(headline, kind):
    """The first sentence, written for readers of the changelog."""
    if kind == "New":
        allowed = ALLOW_VERB.sub("", headline, count=1)
        if allowed != headline:
            return f"You can now {_lower_first(allowed)}."
        added = ADD_VERB.sub("", headline, count=1)
        if added != headline:
            return f"You can now use {added}."
        first = headline.split(" ", 1)[0].lower()
        return f"You can now {'' if first in READER_ACTIONS else 'use '}{_lower_first(headline)}."
    if kind == "Fixed":
        return f"Fixed: {_lower_first(FIX_VERB.sub('', headline, count=1))}."
    if kind == "Improved":
        improved = IMPROVE_VERB.sub("", headline, count=1)
        return f"Improved {improved}." if improved != headline else f"Improved: {_lower_first(headline)}."
    return f"{headline}."


def dependency_bump(title):
    """``Bump django from 5.1 to 5.2`` -> ``Updated django to 5.2.``; None for anything else."""
    text = CONVENTIONAL_PREFIX.sub("", (title or "").strip(), count=1)
    text = TICKET_ID.sub("", ISSUE_REFERENCE.sub("", text)).strip(" .")
    if GROUPED_BUMP.match(text):
        return "Updated dependencies."
    for pattern in DEPENDENCY_BUMPS:
        match = pattern.match(text)
        if match:
            return f"Updated {match.group('name')} to {match.group('version').rstrip('.,')}."
    return None


def _sections(body):
    """Split markdown into (heading, lines) sections; text before the first heading has heading ''."""
    sections, heading, lines = [], "", []
    for line in body.splitlines():
        match = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line) or re.match(r"^\s*\*\*([^*]+)\*\*:?\s*$", line)
        if match:
            sections.append((heading, lines))
            heading, lines = match.group(1).strip(), []
        else:
            lines.append(line)
    sections.append((heading, lines))
    return sections


def _clean_line(line):
    line = re.sub(r"^[-*+]\s+|^\d+[.)]\s+", "", line)
    line = TICKET_ID.sub("", ISSUE_REFERENCE.sub("", line)).strip()
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"`([^`]*)`", r"\1", line)
    return re.sub(r"\s{2,}", " ", line).strip(" -:;,")


def useful_paragraphs(body):
    """The body's paragraphs that say what changed, without template boilerplate."""
    body = HTML_COMMENT.sub("", body or "")
    for pattern in (FENCED_CODE, DETAILS, IMAGE, HTML_TAG):
        body = pattern.sub("", body)
    kept = []
    for heading, lines in _sections(body):
        if heading and BOILERPLATE_HEADINGS.match(heading):
            continue
        if heading and kept and not DESCRIPTION_HEADINGS.match(heading):
            continue
        for line in lines:
            stripped = line.strip()
            if not stripped or CHECKLIST_ITEM.match(stripped) or TEMPLATE_PROMPTS.match(stripped):
                kept.append("")
                continue
            if stripped.startswith(("|", ">", "---", "***")):
                continue
            stripped = _clean_line(stripped)
            if len(stripped) > 2 and re.search(r"[A-Za-z]{3}", stripped):
                kept.append(stripped)
    paragraphs, current = [], []
    for line in kept + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _sentences_within(text, budget):
    """Whole sentences of ``text`` within ``budget`` characters (or a cut word boundary + …)."""
    summary = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(summary) + len(sentence) + 1 > budget:
            break
        summary = f"{summary} {sentence}".strip()
    if not summary and text:
        summary = text[:budget].rsplit(" ", 1)[0] + "…"
    if summary and not summary.endswith((".", "!", "?", "…")):
        summary += "."
    return summary[:1].upper() + summary[1:]


def _words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"you", "can", "now", "use", "fixed", "improved", "add",
                                                           "adds", "added", "fix", "fixes", "a", "an", "the"}


def _same_words(lead, detail):
    """True when ``detail`` says nothing ``lead`` does not (a body that repeats the title)."""
    return bool(_words(detail)) and _words(detail) <= _words(lead)


def offline_rewrite(title, body, category=None):
    """One or two sentences for readers: the lead from the title, then the body's first useful
    paragraph cut at a sentence within ``MAX_CHARS`` (left out when it only repeats the lead)."""
    bump = dependency_bump(title)
    if bump:
        return bump
    headline = clean_title(title)
    lead = _lead(headline, _kind(title, category))
    paragraphs = useful_paragraphs(body)
    detail = _sentences_within(paragraphs[0], MAX_CHARS - len(lead) - 1) if paragraphs else ""
    if not detail or _same_words(lead, detail):
        return lead
    return f"{lead} {detail}"
