"""Rewriting a PR's title and body into a short, user-facing changelog paragraph.

With ``AI_API_BASE``/``AI_API_KEY``/``AI_MODEL`` set, any OpenAI-compatible chat-completions
endpoint writes it. Without them, ``offline_rewrite`` does an honest, deterministic version of
the same job: it drops what readers never need (PR template boilerplate, checklists, HTML
comments, screenshots, issue references, implementation notes) and keeps the first sentences
that say what changed, under a title cleaned of conventional-commit prefixes.
"""

import logging
import re
import time

import requests
from django.conf import settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRYABLE_STATUSES = (429, 500, 502, 503, 504)
MAX_CHARS = 600
SYSTEM_PROMPT = (
    "You write release notes for a product's public changelog. Rewrite the pull request below into one "
    "short paragraph (at most three sentences) telling users what changed for them and why it matters. "
    "Write for users, not developers: no implementation details, file names, issue numbers, checklists, "
    "screenshots or PR template text. Plain markdown, no heading, no preamble."
)

CONVENTIONAL_PREFIX = re.compile(r"^\s*(?:\[[^\]]+\]\s*)?(?:[a-z]+)(?:\([^)]*\))?!?:\s*", re.IGNORECASE)
BRANCH_TITLE = re.compile(r"^(?:feature|feat|fix|bugfix|hotfix|chore|docs)/(\S+)$", re.IGNORECASE)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
FENCED_CODE = re.compile(r"```.*?```", re.DOTALL)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
CHECKLIST_ITEM = re.compile(r"^\s*[-*]\s*\[[ xX]\]")
ISSUE_REFERENCE = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?|refs?|related to|see|part of)\b:?\s+"
    r"(?:[\w.-]+/[\w.-]+)?#\d+[.,]?|(?:https?://github\.com/\S+/(?:issues|pull)/\d+)|(?<!\w)#\d+\b",
    re.IGNORECASE)
BOILERPLATE_HEADINGS = re.compile(
    r"^(?:checklist|testing|test plan|how (?:has this been|to) test(?:ed)?|screenshots?|"
    r"type of change|related issues?|notes? (?:for|to) reviewers?|reviewers?|additional context|"
    r"dependencies|breaking changes? checklist|pr checklist|todo)\b", re.IGNORECASE)
DESCRIPTION_HEADINGS = re.compile(r"^(?:description|summary|what(?:'s| is| does)?|changes?|why|motivation|"
                                  r"what changed|overview|context)\b", re.IGNORECASE)
TEMPLATE_PROMPTS = re.compile(r"^(?:please (?:include|describe|delete|check)|describe your changes|"
                              r"fixes # \(issue\))", re.IGNORECASE)


class AiProviderError(Exception):
    """The provider could not produce a rewrite; the message says why, for the user."""


def ai_configured():
    return bool(settings.AI_API_BASE and settings.AI_API_KEY and settings.AI_MODEL)


def rewrite(title, body):
    """A user-facing paragraph for this PR: from the provider when configured, else offline."""
    if not ai_configured():
        return offline_rewrite(title, body)
    return provider_rewrite(title, body)


def provider_rewrite(title, body):
    url = f"{settings.AI_API_BASE}/chat/completions"
    payload = {
        "model": settings.AI_MODEL,
        "temperature": 0.3,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Title: {title}\n\n{(body or '')[:8000]}"},
        ],
    }
    headers = {"Authorization": f"Bearer {settings.AI_API_KEY}"}
    for attempt in range(1, MAX_ATTEMPTS + 1):
        response = None
        try:
            response = requests.post(url, json=payload, headers=headers, timeout=settings.HTTP_TIMEOUT)
        except requests.Timeout as error:
            raise AiProviderError(f"the AI provider did not answer within {settings.HTTP_TIMEOUT:.0f} seconds") from error
        except requests.RequestException as error:
            problem = f"the AI provider could not be reached ({type(error).__name__})"
        else:
            if response.status_code == 200:
                return _completion_text(response)
            if response.status_code not in RETRYABLE_STATUSES:
                raise AiProviderError(f"the AI provider refused the request (HTTP {response.status_code})")
            problem = f"the AI provider is busy or failing (HTTP {response.status_code})"
        if attempt < MAX_ATTEMPTS:
            time.sleep(_retry_delay(response, attempt))
    log.warning("AI rewrite failed after %d attempts: %s", MAX_ATTEMPTS, problem)
    raise AiProviderError(problem)


def _retry_delay(response, attempt):
    header = response.headers.get("Retry-After") if response is not None else None
    if header and header.isdigit():
        return min(float(header), 10.0)
    return min(0.5 * 2 ** (attempt - 1), 4.0)


def _completion_text(response):
    try:
        text = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise AiProviderError("the AI provider answered with something that is not a chat completion") from error
    text = (text or "").strip()
    if not text:
        raise AiProviderError("the AI provider answered with an empty text")
    return text


# --- the offline writer ------------------------------------------------------------------

def clean_title(title):
    """``feat(api)!: add dark mode`` -> ``Add dark mode``."""
    text = (title or "").strip()
    branch = BRANCH_TITLE.match(text)
    if branch:
        text = re.sub(r"[-_]+", " ", branch.group(1))
    text = CONVENTIONAL_PREFIX.sub("", text, count=1).strip().rstrip(".")
    text = ISSUE_REFERENCE.sub("", text).strip(" -–(),")
    return text[:1].upper() + text[1:] if text else (title or "").strip()


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


def _useful_sentences(body):
    body = HTML_COMMENT.sub("", body or "")
    body = FENCED_CODE.sub("", body)
    body = IMAGE.sub("", body)
    body = HTML_TAG.sub("", body)
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
            stripped = re.sub(r"^[-*+]\s+|^\d+[.)]\s+", "", stripped)
            stripped = ISSUE_REFERENCE.sub("", stripped).strip()
            stripped = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", stripped)
            stripped = re.sub(r"`([^`]*)`", r"\1", stripped)
            stripped = re.sub(r"\s{2,}", " ", stripped).strip(" -:;,")
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


def offline_rewrite(title, body):
    """Deterministic cleanup: the first useful paragraph of the body, cut at a sentence within
    ``MAX_CHARS``; the cleaned title as a sentence when the body says nothing useful. (The
    entry's title is shown above it, so it is not repeated.)"""
    headline = clean_title(title)
    paragraphs = _useful_sentences(body)
    text = paragraphs[0] if paragraphs else ""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    summary = ""
    for sentence in sentences:
        if len(summary) + len(sentence) > MAX_CHARS:
            break
        summary = f"{summary} {sentence}".strip()
    if not summary and text:
        summary = text[:MAX_CHARS].rsplit(" ", 1)[0] + "…"
    if summary and not summary.endswith((".", "!", "?", "…")):
        summary += "."
    if summary and summary[:1].islower():
        summary = summary[:1].upper() + summary[1:]
    return summary or (headline if headline.endswith((".", "!", "?")) else f"{headline}.")
