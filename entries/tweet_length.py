"""How long X says a post is: twitter-text's ``parseTweet`` with configuration v3, in a few lines.

X does not count characters. It counts weights (twitter-text, config v3):

* every link counts 23, however long it is (X wraps it in a ``t.co`` link). A link is what
  twitter-text extracts: an ``http(s)://`` address, or a bare name like ``example.com`` or
  ``README.md`` ending in one of its top-level domains (``x_tlds.txt``);
* every emoji counts 2, however many code points it is made of (skin tones, flags, families);
* every other code point counts 1 in the ranges U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F
  and U+2032-U+2037 (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts, common punctuation),
  else 2: Chinese, Japanese and Korean characters count 2 each, and so does ``…`` (U+2026);
* the text is NFC-normalized and ``\\r\\n`` counts as one line break.

No maintained Python port exists on PyPI (``twitter-text-parser`` had its last release in 2023 and
imports ``pkg_resources``), so this is our own, checked against twitter-text's published examples
(tests/entries/test_social_length.py). The dashboard's live counter (``static/js/social.js``) runs
the same rules with the same patterns, which ``counter_config`` hands it.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

MAX_WEIGHT = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
ONE_WEIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
INVALID_CHARACTERS = ("\ufffe", "\ufeff", "\uffff")
TLD_FILE = Path(__file__).with_name("x_tlds.txt")


@lru_cache(maxsize=1)
def top_level_domains():
    words = []
    for line in TLD_FILE.read_text().splitlines():
        if not line.startswith("#"):
            words.extend(line.split())
    return tuple(sorted(words, key=lambda word: (-len(word), word)))


# --- the patterns, written so that Python's re and JavaScript's RegExp (flags "giu") read them alike ---

LATIN_ACCENTS = ("\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u00ff\\u0100-\\u024f\\u0253\\u0254\\u0256\\u0257\\u0259"
                 "\\u025b\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b\\u02bb\\u0300-\\u036f\\u1e00-\\u1eff")
CYRILLIC = "\\u0400-\\u04ff"
DIRECTIONAL = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
DOMAIN_CHAR = f"[^\\s!'#%&()*+,\\\\./:;<=>?@\\[\\]^_{{|}}~$\\ufffe\\ufeff\\uffff{DIRECTIONAL}-]"
PATH_CHAR = f"[a-z0-9{LATIN_ACCENTS}{CYRILLIC}!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&]"
BALANCED_PARENS = f"\\((?:{PATH_CHAR}+|{PATH_CHAR}*\\({PATH_CHAR}+\\){PATH_CHAR}*)\\)"
PATH_END = f"(?:[-+a-z0-9{LATIN_ACCENTS}{CYRILLIC}=_#/]|{BALANCED_PARENS})"
PATH_SEGMENT = f"(?:{PATH_CHAR}*(?:{BALANCED_PARENS}{PATH_CHAR}*)*{PATH_END}|@{PATH_CHAR}+/)"
QUERY = "\\?[a-z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]*[a-z0-9\\-_&=#/]"


def _tld():
    return f"(?:{'|'.join(top_level_domains())}|xn--[-0-9a-z]+)(?=[^0-9a-z@+-]|$)"


@lru_cache(maxsize=1)
def url_pattern():
    """twitter-text's ``extractUrl``. Group 1 is the character before the candidate (consumed, as
    twitter-text does: not a letter, digit, ``@``, ``$`` or ``#``), 2 the protocol, 3 the domain
    (subdomains may hold ``_``, the name before the top-level domain may not), 4 the path."""
    domain = (f"(?:{DOMAIN_CHAR}(?:[-_]*{DOMAIN_CHAR})*\\.)*{DOMAIN_CHAR}(?:-*{DOMAIN_CHAR})*\\.{_tld()}")
    return (f"(^|[^a-z0-9@\\uff20$#\\uff03\\ufffe\\ufeff\\uffff])(https?://)?({domain})(?::[0-9]+)?"
            f"(/{PATH_SEGMENT}*)?(?:{QUERY})?")


@lru_cache(maxsize=1)
def ascii_domain_pattern():
    """Without a protocol only the ASCII names inside the candidate's domain are links."""
    return f"(?:[-a-z0-9{LATIN_ACCENTS}]+\\.)+{_tld()}"


def _char_class(ranges):
    return "[" + "".join(chr(start) if start == end else f"{chr(start)}-{chr(end)}" for start, end in ranges) + "]"


PICTOGRAPHS = _char_class([
    (0xA9, 0xA9), (0xAE, 0xAE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122), (0x2139, 0x2139),
    (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328), (0x23CF, 0x23CF), (0x23E9, 0x23F3),
    (0x23F8, 0x23FA), (0x24C2, 0x24C2), (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE),
    (0x2600, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1F3FA),
    (0x1F400, 0x1FAFF)])  # not the skin tones U+1F3FB-U+1F3FF: alone, each is an emoji of its own
FLAG_LETTER = _char_class([(0x1F1E6, 0x1F1FF)])
EMOJI_MODIFIER = "(?:" + _char_class([(0xFE0F, 0xFE0F), (0x1F3FB, 0x1F3FF), (0xE0020, 0xE007F)]) + ")"
EMOJI_PATTERN = (f"{FLAG_LETTER}{FLAG_LETTER}|[0-9#*]\\ufe0f?\\u20e3|"
                 f"{PICTOGRAPHS}{EMOJI_MODIFIER}*(?:\\u200d{PICTOGRAPHS}{EMOJI_MODIFIER}*)*")


@lru_cache(maxsize=1)
def _compiled():
    return (re.compile(url_pattern(), re.IGNORECASE), re.compile(ascii_domain_pattern(), re.IGNORECASE),
            re.compile(EMOJI_PATTERN))


def normalize(text):
    return re.sub(r"\r\n|\r", "\n", unicodedata.normalize("NFC", text))


def url_spans(text):
    """``(start, end)`` of each link X finds in the normalized ``text``, as twitter-text's
    ``extractUrlsWithIndices``: a candidate with a protocol is a link; one without is skipped
    after ``-``, ``_``, ``.`` or ``/``; otherwise each ASCII name in its domain is a link, the
    last one reaching to the end of the path."""
    candidate_re, ascii_re, _ = _compiled()
    spans = []
    for candidate in candidate_re.finditer(text):
        if candidate.group(2):
            spans.append((candidate.start(2), candidate.end()))
            continue
        if candidate.group(1) in ("-", "_", ".", "/"):
            continue
        offset = candidate.start(3)
        names = [[offset + name.start(), offset + name.end()] for name in ascii_re.finditer(candidate.group(3))]
        if names and candidate.group(4):
            names[-1][1] = candidate.end()
        spans.extend(tuple(name) for name in names)
    return spans


def urls(text):
    """The links X finds in ``text``, in order."""
    text = normalize(text)
    return [text[start:end] for start, end in url_spans(text)]


def _code_point_weight(character):
    code = ord(character)
    return 1 if any(start <= code <= end for start, end in ONE_WEIGHT_RANGES) else 2


def weighted_length(text):
    """The length X shows for ``text`` (the number its 280 limit applies to)."""
    text = normalize(text)
    url_ends = dict(url_spans(text))
    emoji_ends = {match.start(): match.end() for match in _compiled()[2].finditer(text)}
    weight, index = 0, 0
    while index < len(text):
        if index in url_ends:
            weight, index = weight + URL_WEIGHT, url_ends[index]
        elif index in emoji_ends:
            weight, index = weight + EMOJI_WEIGHT, emoji_ends[index]
        else:
            weight, index = weight + _code_point_weight(text[index]), index + 1
    return weight


def tweet_problem(text):
    """Why X would refuse ``text`` as one post, or ``None``."""
    if not text.strip():
        return "is empty"
    if any(character in text for character in INVALID_CHARACTERS):
        return "contains a character X does not accept (U+FFFE, U+FEFF or U+FFFF)"
    length = weighted_length(text)
    if length > MAX_WEIGHT:
        return f"is {length} characters as X counts them; the limit is {MAX_WEIGHT}"
    return None


def counter_config():
    """What the page's live counter needs to count exactly like ``weighted_length``."""
    return {"maxWeight": MAX_WEIGHT, "urlWeight": URL_WEIGHT, "emojiWeight": EMOJI_WEIGHT,
            "oneWeightRanges": ONE_WEIGHT_RANGES, "urlPattern": url_pattern(),
            "asciiDomainPattern": ascii_domain_pattern(), "emojiPattern": EMOJI_PATTERN}
