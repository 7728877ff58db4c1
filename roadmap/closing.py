"""Closing keywords in pull request text: which issues a merged pull request closes.

GitHub closes an issue when a pull request that says so is merged: one of the nine keywords
(``close``, ``closes``, ``closed``, ``fix``, ``fixes``, ``fixed``, ``resolve``, ``resolves``,
``resolved``, in any case, optionally followed by a colon) right before a reference to the issue:
``#12``, ``owner/repo#12`` or the issue's URL ``https://github.com/owner/repo/issues/12``. Each
reference needs its own keyword (``Fixes #1, fixes #2`` closes both; ``Fixes #1, #2`` only #1),
as on GitHub. Like GitHub, text inside code is not read: fenced code blocks (```` ``` ```` or
``~~~``), inline code spans and HTML comments (a PR template's ``<!-- Fixes #123 -->`` example)
are left out. Pure functions, no storage: the roadmap's auto-ship and the fixed issues of an entry
(docs/github-loop.md) use them.
"""

import re
from dataclasses import dataclass

KEYWORDS = ("close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves", "resolved")

_REPO = r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"
CLOSING_REFERENCE = re.compile(
    r"(?<![\w/#-])(?:" + "|".join(KEYWORDS) + r")(?:\s*:\s*|\s+)"
    r"(?:(?P<repo>" + _REPO + r")#(?P<repo_number>\d+)"
    r"|#(?P<number>\d+)"
    r"|https?://github\.com/(?P<url_repo>" + _REPO + r")/issues/(?P<url_number>\d+))"
    r"(?![\w-])",
    re.IGNORECASE,
)
FENCED_CODE = re.compile(r"^[ ]{0,3}(?P<fence>`{3,}|~{3,}).*?(?:^[ ]{0,3}(?P=fence)[`~]*[ \t]*$|\Z)",
                         re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=ticks)(?!`)", re.DOTALL)
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


@dataclass(frozen=True)
class ClosingReference:
    """One closing reference: ``repo`` is ``owner/repo`` when the text named one, else None
    (the pull request's own repository)."""

    number: int
    repo: str | None = None

    def targets(self, repo_name):
        """Whether this reference closes an issue of ``repo_name`` (GitHub names are case-insensitive)."""
        return self.repo is None or self.repo.lower() == repo_name.lower()


def prose(text):
    """``text`` without what GitHub does not read for closing keywords: code blocks, inline code
    and HTML comments (each replaced by a space, so the words around it stay apart)."""
    text = (text or "").replace("\r\n", "\n")
    for pattern in (FENCED_CODE, HTML_COMMENT, INLINE_CODE):
        text = pattern.sub(" ", text)
    return text


def closing_references(text):
    """Every closing reference in ``text`` outside code, in order of appearance, duplicates kept."""
    found = []
    for match in CLOSING_REFERENCE.finditer(prose(text)):
        number = match.group("number") or match.group("repo_number") or match.group("url_number")
        found.append(ClosingReference(number=int(number), repo=match.group("repo") or match.group("url_repo")))
    return found


def closed_issue_numbers(*texts, repo_name):
    """The issue numbers of ``repo_name`` that ``texts`` (a pull request's title and body) close,
    sorted and without duplicates. References to other repositories are left out."""
    numbers = {ref.number for text in texts for ref in closing_references(text) if ref.targets(repo_name)}
    return sorted(number for number in numbers if number > 0)
