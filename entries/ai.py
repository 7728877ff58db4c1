"""Rewriting a PR's title and body into a short, user-facing changelog paragraph.

With ``AI_API_BASE``/``AI_API_KEY``/``AI_MODEL`` set, any OpenAI-compatible chat-completions
endpoint writes it. Without them, the built-in writer (``entries.offline_writer``) does an
honest, deterministic version of the same job, and the editor says so: it leads with what changed
for readers ("You can now …", "Fixed: …"), drops conventional-commit prefixes, ticket ids, PR
template boilerplate and dependency-bump noise, and keeps the body's first useful sentences.
"""

import logging

import requests
from django.conf import settings

from changelog_site import http
from entries.offline_writer import offline_rewrite

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You write release notes for a product's public changelog. Rewrite the pull request below into one "
    "short paragraph (at most three sentences) telling users what changed for them and why it matters. "
    "Write for users, not developers: no implementation details, file names, issue numbers, checklists, "
    "screenshots or PR template text. Plain markdown, no heading, no preamble."
)


class AiProviderError(Exception):
    """The provider could not produce a rewrite; the message says why, for the user."""


def ai_configured():
    return bool(settings.AI_API_BASE and settings.AI_API_KEY and settings.AI_MODEL)


def writer_name():
    """Who writes the rewrite, as the editor names it."""
    return f"the AI ({settings.AI_MODEL})" if ai_configured() else "the built-in writer"


def rewrite(title, body, category=None):
    """A user-facing paragraph for this PR: from the provider when configured, else the built-in writer."""
    if not ai_configured():
        return offline_rewrite(title, body, category)
    return provider_rewrite(title, body)


def provider_rewrite(title, body):
    """One chat completion. The POST is retried on 429/5xx and a failed connection (honouring
    ``Retry-After``, three attempts in all) since a failed completion is neither stored nor
    charged; a timeout is not retried."""
    return chat_completion([
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Title: {title}\n\n{(body or '')[:8000]}"},
    ], temperature=0.3)


def chat_completion(messages, *, temperature):
    """The provider's answer to ``messages`` (OpenAI chat-completions), or ``AiProviderError``
    saying why not. Shared by the rewrite and the social posts."""
    payload = {"model": settings.AI_MODEL, "temperature": temperature, "messages": messages}
    session = http.session_shared("ai", retry=http.RETRY_ANY_METHOD)
    try:
        response = session.post(f"{settings.AI_API_BASE}/chat/completions", json=payload,
                                headers={"Authorization": f"Bearer {settings.AI_API_KEY}"})
    except requests.Timeout as error:
        raise AiProviderError(f"the AI provider did not answer within {settings.HTTP_TIMEOUT:.0f} seconds") from error
    except requests.RequestException as error:
        log.warning("AI provider call failed: %s", type(error).__name__)
        raise AiProviderError(f"the AI provider could not be reached ({type(error).__name__})") from error
    if response.status_code in http.RETRY_STATUSES:
        log.warning("AI provider call failed after retries: HTTP %s", response.status_code)
        raise AiProviderError(f"the AI provider is busy or failing (HTTP {response.status_code})")
    if response.status_code != 200:
        raise AiProviderError(f"the AI provider refused the request (HTTP {response.status_code})")
    return _completion_text(response)


def _completion_text(response):
    try:
        text = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise AiProviderError("the AI provider answered with something that is not a chat completion") from error
    text = (text or "").strip()
    if not text:
        raise AiProviderError("the AI provider answered with an empty text")
    return text
