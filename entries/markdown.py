"""Markdown -> HTML that is safe to put on a public page.

PR bodies are written by anyone who can open a pull request, so they are hostile input: raw
HTML, ``<script>``, ``javascript:`` links, event-handler attributes, iframes, forms, styles.
markdown-it-py renders CommonMark (+ tables, strikethrough); nh3 (ammonia) then keeps only an
allow-list of tags, attributes and URL schemes. Nothing executable survives, whatever
markdown-it produced. Links get ``rel="nofollow ugc noopener noreferrer"``.
"""

import html

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _attribute_filter(tag, attribute, value):
    """Only ``language-*`` classes on code blocks: no borrowing the page's own CSS classes."""
    if attribute == "class":
        return value if value.startswith("language-") and value[9:].replace("-", "").isalnum() else None
    return value


def sanitize_html(markup):
    return nh3.clean(
        markup,
        attribute_filter=_attribute_filter,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
    )


def render_markdown(text):
    """Sanitized HTML for ``text`` (markdown, possibly with raw HTML)."""
    return sanitize_html(_md.render(text or ""))


def plain_text(text, limit=200):
    """A short plain-text summary (Open Graph descriptions, feed fallbacks)."""
    stripped = nh3.clean(_md.render(text or ""), tags=set()).strip()
    stripped = " ".join(stripped.split())
    stripped = html.unescape(stripped)
    return stripped if len(stripped) <= limit else stripped[: limit - 1].rstrip() + "…"
