"""The words of a social post from the AI provider (``AI_API_BASE``/``AI_API_KEY``/``AI_MODEL``).

The provider writes the words only; ``entries.social_writer`` then applies the platform's rules
(X's 280 per post, numbering, the link; LinkedIn's 3,000 and its hook), so a chatty answer can
never produce a post X or LinkedIn would refuse. The call goes through the same HTTP session and
retry policy as the entry rewrite (``entries.ai``): a failed completion is neither stored nor
charged, so the POST may be retried on 429/5xx.
"""

import logging
import re

from entries.ai import AiProviderError, chat_completion

log = logging.getLogger(__name__)

MAX_ANSWER = 4000
TONE_GUIDE = {
    "casual": "casual and friendly, as if telling a colleague; contractions are fine",
    "professional": "professional and clear, confident without hype",
    "excited": "enthusiastic and upbeat, with at most two emoji",
    "technical": "technical and precise, for developers: say what changed and how it behaves",
}
PLATFORM_GUIDE = {
    "twitter": ("You write an X (Twitter) thread announcing one change from a product's public changelog. "
                "Write the thread's words only, as plain sentences: two to five short sentences, at most 500 "
                "characters in all, the first one a hook. No hashtags, no links, no numbering, no preamble."),
    "linkedin": ("You write a LinkedIn post announcing one change from a product's public changelog. "
                 "The first line is a hook of at most 120 characters that makes people click \"see more\". "
                 "Then a blank line and one or two short paragraphs, at most 1,200 characters in all. "
                 "No hashtags, no links, no preamble."),
}
HASHTAG_LINE = re.compile(r"^(?:\s*#[^\s#]+)+\s*$")
LEADING_NUMBER = re.compile(r"^\s*(\d{1,2})/(\d{1,2})?(?:\s+|$)")
TRAILING_NUMBER = re.compile(r"\s*\(?(\d{1,2})/(\d{1,2})\)?\s*$")


def prompt(*, platform, tone, material):
    system = f"{PLATFORM_GUIDE[platform]} Tone: {TONE_GUIDE[tone]}."
    facts = [f"Product: {material.product}", f"Change: {material.headline}", f"Kind of change: {material.kind}",
             f"What changed for users: {material.summary}"]
    if material.details:
        facts.append(f"Details from the pull request: {material.details}")
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(facts)}]


def _without_numbering(line):
    """``1/3 Text`` or ``Text (2/3)`` -> ``Text``; ``24/7 support`` stays (24 of 7 is no numbering)."""
    for pattern in (LEADING_NUMBER, TRAILING_NUMBER):
        match = pattern.search(line)
        if match and (match.group(2) is None or int(match.group(1)) <= int(match.group(2))):
            line = line[:match.start()] + " " + line[match.end():]
    return line.strip()


def clean_answer(text):
    """The provider's words without what the rules add themselves: hashtag lines, numbering,
    surrounding quotes."""
    text = text.strip().strip('"“”').strip()
    lines = [_without_numbering(line) for line in text.splitlines() if not HASHTAG_LINE.match(line)]
    return "\n".join(lines).strip()[:MAX_ANSWER]


def write(*, platform, tone, material):
    """The provider's words for the post, or ``AiProviderError`` saying why not."""
    text = chat_completion(prompt(platform=platform, tone=tone, material=material), temperature=0.6)
    text = clean_answer(text)
    if not text:
        raise AiProviderError("the AI provider answered with an empty text")
    return text
