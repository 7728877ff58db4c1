"""Social posts from an entry: the platforms' rules, and the built-in writer.

The rules hold whoever wrote the text (the AI provider or the built-in writer):

* X: a thread of posts of at most 280 characters as X counts them (``entries.tweet_length``),
  cut between sentences, else between words; numbered ``1/3``, ``2/3``, ``3/3`` when there is more
  than one; the hashtags and the entry's public link close the last post.
* LinkedIn: at most 3,000 characters (counted as LinkedIn's composer does, in UTF-16 units, so an
  emoji counts 2); the first line is the hook LinkedIn shows above "…see more" (at most 140
  characters, the mobile cut), the hashtags and then the link end the post.

The built-in writer does the words when no AI provider is configured: the entry's reader-facing
text (its rewrite, or ``offline_rewrite`` of the PR) behind an opening line in the chosen tone,
hashtags from the entry's labels and category, and a closing call to action.
"""

import re
from dataclasses import dataclass, field

from entries.offline_writer import clean_title, offline_rewrite, useful_paragraphs
from entries.tweet_length import MAX_WEIGHT, weighted_length

TONES = ("casual", "professional", "excited", "technical")
DEFAULT_TONE = "professional"
LINKEDIN_MAX = 3000
LINKEDIN_HOOK_MAX = 140
THREAD_MAX_POSTS = 25
HASHTAGS_PER_PLATFORM = {"twitter": 2, "linkedin": 4}
DETAILS_MAX = 600

KIND_BY_CATEGORY = {"New": "feature", "Fixed": "fix", "Improved": "improvement", "Other": "update"}
HASHTAG_BY_CATEGORY = {"New": "NewFeature", "Fixed": "BugFix", "Improved": "ProductUpdate", "Other": None}
HASHTAG_BY_LABEL = {"bug": "BugFix", "enhancement": "NewFeature", "feature": "NewFeature", "perf": "Performance",
                    "performance": "Performance", "a11y": "Accessibility", "ui": "UI", "ux": "UX",
                    "security": "Security", "docs": "Docs", "documentation": "Docs", "api": "API"}
NOISE_LABELS = {"dependencies", "duplicate", "invalid", "question", "wontfix", "good first issue", "help wanted",
                "triage", "needs triage", "needs review", "chore", "skip changelog", "no changelog", "internal",
                "ci", "tests", "test", "refactor", "javascript", "python", "github actions", "release"}

OPENINGS = {
    "casual": "Fresh in {product}:",
    "professional": "{product} update:",
    "excited": "🚀 Just shipped in {product}!",
    "technical": "{product} {kind} (PR #{pr_id}):",
}
CLOSINGS = {
    "twitter": {"casual": "Take a look:", "professional": "Read the release note:", "excited": "Try it today 👉",
                "technical": "Changelog entry:"},
    "linkedin": {"casual": "Give it a spin and tell us what you think:",
                 "professional": "Read the full release note:",
                 "excited": "We can't wait for you to try it 👉",
                 "technical": "Details in the changelog entry:"},
}

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\n+")
MARKDOWN_NOISE = [
    (re.compile(r"```.*?```", re.DOTALL), " "),
    (re.compile(r"<!--.*?-->", re.DOTALL), " "),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), " "),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"</?[a-z][^>]*>", re.IGNORECASE), " "),
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE), ""),
    (re.compile(r"(\*\*|__|~~|`)"), ""),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
]


def plain_text(markdown):
    """Markdown as the words a reader sees, one line (links keep their text, code loses its ticks)."""
    text = markdown or ""
    for pattern, replacement in MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def sentences(text):
    return [part.strip() for part in SENTENCE_END.split(text or "") if part and part.strip()]


def utf16_length(text):
    """LinkedIn's count: UTF-16 code units, what its composer (JavaScript) counts."""
    return len(text.encode("utf-16-le")) // 2


# --- hashtags -----------------------------------------------------------------------------------

def _hashtag(label):
    """``dark-mode`` -> ``DarkMode``, ``type: bug`` -> ``BugFix``, ``performance`` -> ``Performance``."""
    name = re.split(r"[:/]", label)[-1].strip().lower()
    if not name or name in NOISE_LABELS or label.strip().lower() in NOISE_LABELS:
        return None
    if name in HASHTAG_BY_LABEL:
        return HASHTAG_BY_LABEL[name]
    words = re.findall(r"[^\W_]+", name)
    if not words or len(words) > 3:
        return None
    return "".join(word[:1].upper() + word[1:] for word in words)


def hashtags_for(*, category, labels, platform):
    """Up to two tags for X and four for LinkedIn: the labels' own first (``dark-mode``), then the
    generic ones (``bug``, ``enhancement``) and the category's."""
    tags = [_hashtag(label) for label in labels or []]
    generic = set(HASHTAG_BY_LABEL.values())
    ordered = [tag for tag in tags if tag not in generic] + [tag for tag in tags if tag in generic]
    found = []
    for tag in ordered + [HASHTAG_BY_CATEGORY.get(category)]:
        if tag and tag.lower() not in {known.lower() for known in found}:
            found.append(tag)
    return found[:HASHTAGS_PER_PLATFORM[platform]]


def hashtag_line(hashtags):
    return " ".join(tag if tag.startswith("#") else f"#{tag}" for tag in hashtags)


# --- what a post is written from ----------------------------------------------------------------

@dataclass
class Material:
    product: str
    headline: str
    summary: str
    details: str
    kind: str
    pr_id: int
    author: str
    url: str
    category: str
    labels: list = field(default_factory=list)

    def headline_sentence(self):
        return self.headline.rstrip(".!? ") + "."

    def opening(self, tone):
        return OPENINGS[tone].format(product=self.product, kind=self.kind, pr_id=self.pr_id)


def material_for(entry, *, url):
    """The facts of ``entry`` a post is written from. The summary is the reader-facing rewrite
    when readers see it, else the built-in writer's version of the PR."""
    rewrite = (entry.aiRewrite or "").strip()
    summary = plain_text(rewrite if rewrite and entry.textSource != "original" else
                         offline_rewrite(entry.title, entry.body, entry.category))
    paragraphs = [plain_text(paragraph) for paragraph in useful_paragraphs(entry.body)]
    details = _within(" ".join(paragraph for paragraph in paragraphs if paragraph), DETAILS_MAX)
    return Material(product=entry.repoId.split("/")[-1], headline=clean_title(entry.title) or entry.title,
                    summary=summary, details=details, kind=KIND_BY_CATEGORY.get(entry.category, "update"),
                    pr_id=entry.prId, author=entry.author, url=url, category=entry.category,
                    labels=list(entry.labels))


def _within(text, budget):
    """Whole sentences of ``text`` within ``budget`` characters."""
    kept = ""
    for sentence in sentences(text):
        if len(kept) + len(sentence) + 1 > budget:
            break
        kept = f"{kept} {sentence}".strip()
    return kept


# --- X ------------------------------------------------------------------------------------------

def _hard_cut(word, capacity):
    """A word longer than a post, cut into pieces of at most ``capacity``."""
    pieces, current = [], ""
    for character in word:
        if current and weighted_length(current + character) > capacity:
            pieces.append(current)
            current = ""
        current += character
    return pieces + ([current] if current else [])


def _pieces(sentence, capacity):
    if weighted_length(sentence) <= capacity:
        return [sentence]
    pieces, current = [], ""
    for word in sentence.split():
        for part in ([word] if weighted_length(word) <= capacity else _hard_cut(word, capacity)):
            candidate = f"{current} {part}" if current else part
            if weighted_length(candidate) <= capacity:
                current = candidate
            else:
                pieces.append(current)
                current = part
    return pieces + ([current] if current else [])


def _pack(units, tail, capacity):
    posts, current = [], ""
    for unit in units:
        for piece in _pieces(unit, capacity):
            candidate = f"{current} {piece}" if current else piece
            if weighted_length(candidate) <= capacity:
                current = candidate
            else:
                posts.append(current)
                current = piece
    if tail:
        candidate = f"{current}\n\n{tail}" if current else tail
        if weighted_length(candidate) <= capacity:
            current = candidate
        else:
            posts.append(current)
            current = tail
    return [post for post in posts + [current] if post]


def _suffix(number, total):
    return f" {number}/{total}"


def thread(text, *, tail=""):
    """``text`` as X posts of at most 280 each, ``tail`` (hashtags, link) closing the last one.

    Sentences stay whole where they fit, else the cut falls between words (between characters
    only for a word longer than a post). With more than one post each ends in ``i/n``, whose
    room is kept free: the thread is packed again until the count it was packed for holds.
    """
    units = sentences(text)
    total = 1
    for _ in range(5):
        capacity = MAX_WEIGHT - (weighted_length(_suffix(total, total)) if total > 1 else 0)
        posts = _pack(units, tail, capacity)
        if len(posts) <= total:
            break
        total = len(posts)
    if len(posts) == 1:
        return posts
    return [post + _suffix(number, len(posts)) for number, post in enumerate(posts, start=1)]


def x_tail(material, hashtags, tone):
    closing = f"{CLOSINGS['twitter'][tone]} {material.url}"
    return f"{hashtag_line(hashtags)}\n{closing}" if hashtags else closing


def builtin_thread(material, tone, hashtags):
    body = f"{material.headline_sentence()} {material.details or material.summary}" if tone == "technical" \
        else material.summary
    return thread(f"{material.opening(tone)} {body}", tail=x_tail(material, hashtags, tone))


# --- LinkedIn -----------------------------------------------------------------------------------

def _shorten(text, limit):
    if utf16_length(text) <= limit:
        return text
    words, kept = text.split(), ""
    for word in words:
        if utf16_length(f"{kept} {word}…".strip()) > limit:
            break
        kept = f"{kept} {word}".strip()
    return kept.rstrip(".,;:!?") + "…"


def linkedin_hook(material, tone):
    """One line for above "…see more": the tone's opening and the first sentence, as much as fits."""
    first = material.headline_sentence() if tone == "technical" else \
        (sentences(material.summary) or [material.headline_sentence()])[0]
    hook = f"{material.opening(tone)} {first}"
    return hook if utf16_length(hook) <= LINKEDIN_HOOK_MAX else _shorten(first, LINKEDIN_HOOK_MAX)


def linkedin_post(*, hook, paragraphs, material, hashtags, tone):
    """Hook, paragraphs, hashtags, then the call to action with the link, within 3,000.
    Paragraphs lose sentences from the end until the post fits."""
    hook = _shorten(" ".join(hook.split()), LINKEDIN_HOOK_MAX)
    ending = [hashtag_line(hashtags)] if hashtags else []
    ending.append(f"{CLOSINGS['linkedin'][tone]}\n{material.url}")
    body = [paragraph.strip() for paragraph in paragraphs if paragraph and paragraph.strip()]

    def assemble():
        return "\n\n".join([hook, *body, *ending])

    while utf16_length(assemble()) > LINKEDIN_MAX and body:
        kept = sentences(body[-1])[:-1]
        if kept:
            body[-1] = " ".join(kept)
        else:
            body.pop()
    return assemble()


def builtin_linkedin(material, tone, hashtags):
    hook = linkedin_hook(material, tone)
    rest = sentences(material.summary)[1:] if tone != "technical" else sentences(material.details or material.summary)
    paragraphs = [" ".join(rest)]
    if tone == "technical":
        paragraphs.append(f"Merged as PR #{material.pr_id} by {material.author}.")
    elif tone == "casual":
        paragraphs.append("Small change, but we think you'll notice it.")
    elif tone == "excited":
        paragraphs.append("This one has been on our list for a while, and it's finally here.")
    return linkedin_post(hook=hook, paragraphs=paragraphs, material=material, hashtags=hashtags, tone=tone)


def first_line(post):
    return (post or "").split("\n", 1)[0]
