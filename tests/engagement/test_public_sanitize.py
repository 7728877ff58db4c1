"""Hostile PR bodies never put anything executable on the public page or in the feeds."""

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import load_fixture
from tests.engagement.public_helpers import BASE, browser, connected, published

pytestmark = pytest.mark.django_db

HOSTILE = """## What changed

<script>alert('xss')</script>
<SCRIPT SRC=//evil.example/x.js></SCRIPT>
[click me](javascript:alert(1)) and [also](JaVaScRiPt:alert(2)) and <a href="javascript&colon;alert(3)">entity</a>
<a href="  javascript:alert(4)">spaced</a> <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>
<img src="x" onerror="alert(5)"> <img src=x onload=alert(6)>
<div onclick="alert(7)" onmouseover="alert(8)" style="background:url(javascript:alert(9))">hover</div>
<iframe src="https://evil.example"></iframe>
<object data="x.swf"></object><embed src="x.swf">
<svg onload="alert(10)"><script>alert(11)</script></svg>
<form action="https://evil.example"><input name="p"><button>Login</button></form>
<meta http-equiv="refresh" content="0;url=https://evil.example">
<base href="https://evil.example/">
<link rel="stylesheet" href="https://evil.example/x.css">
<p class="upvote">spoof our classes</p>

```js
document.cookie
```

Fixes **bold** text and a [real link](https://example.com/docs).

<math><mtext><table><mglyph><style><img src=x onerror=alert(12)>
"""

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "input", "button", "svg", "math", "base",
                  "meta", "link", "style", "frame", "frameset", "applet"}
SAFE_URL = re.compile(r"^(https?://|mailto:|/|#|[a-z0-9._-]+$)", re.I)


class Inspector(HTMLParser):
    """Collects what a browser would treat as markup (not text) in an HTML fragment."""

    def __init__(self, allow_own=False):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.allow_own = allow_own

    def own(self, tag, attrs):
        """The whole page's own head, upvote and subscribe forms, when inspecting a full page."""
        attrs = dict(attrs)
        return self.allow_own and (
            (tag == "script" and attrs.get("src", "").startswith("/static/shiplog/"))
            or tag in ("meta", "link", "style") or (tag == "form" and ("data-upvote" in attrs or "data-subscribe" in attrs))
            or tag in ("input", "button") or (tag == "svg" and attrs.get("aria-hidden") == "true"))

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS and not self.own(tag, attrs):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "xlink:href") and value and not SAFE_URL.match(value.strip()):
                self.problems.append(f"{tag}[{name}={value}]")

    handle_startendtag = handle_starttag


def assert_inert(fragment):
    inspector = Inspector()
    inspector.feed(fragment)
    inspector.close()
    assert inspector.problems == [], fragment
    assert "evil.example" not in fragment


def hostile_entry(user):
    pr = load_fixture("github/webhooks/pull_request.closed.merged.json")["pull_request"]
    return published(user, pr_id=pr["number"], title=pr["title"], prUrl=pr["html_url"], author=pr["user"]["login"],
                     body=pr["body"] + "\n\n" + HOSTILE)


def prose_of(html):
    """The entries' rendered bodies (the page's own script tags for upvote.js and subscribe.js are ours)."""
    return "".join(re.findall(r'<div class="prose">(.*?)</div><!--/prose-->', html, re.S))


def test_it_strips_scripts_handlers_and_dangerous_links_on_the_changelog_page(redis_db):
    hostile_entry(connected())

    html = browser().get(BASE).content.decode()

    body = prose_of(html)
    assert "Fixing the catalog info file." in body
    assert_inert(body)
    assert '<a href="https://example.com/docs" rel="nofollow ugc noopener noreferrer">real link</a>' in body
    assert "<strong>bold</strong>" in body
    assert 'class="upvote"' not in body
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/shiplog/upvote.js" defer>',
                                                  '<script src="/static/shiplog/subscribe.js" defer>']


def test_it_strips_scripts_handlers_and_dangerous_links_on_the_entry_page(redis_db):
    entry = hostile_entry(connected())

    html = browser().get(f"{BASE}{entry.prId}/").content.decode()

    assert_inert(prose_of(html))
    page = Inspector(allow_own=True)
    page.feed(html)
    assert page.problems == []


def test_it_sanitizes_the_ai_rewrite_when_one_is_shown(redis_db):
    entry = hostile_entry(connected())
    entry.aiRewrite = "Rewritten <img src=x onerror=alert(1)> <script>alert(2)</script>"
    entry.save()

    html = browser().get(f"{BASE}{entry.prId}/").content.decode()

    assert "Rewritten" in prose_of(html)
    assert_inert(prose_of(html))


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml"])
def test_it_sanitizes_entry_html_in_the_feeds(redis_db, feed):
    import feedparser

    hostile_entry(connected())

    raw = browser().get(BASE + feed).content.decode()
    parsed = feedparser.parse(raw)

    item = parsed.entries[0]
    content = item.get("summary", "") + "".join(part["value"] for part in item.get("content", []))
    assert "Fixing the catalog info file." in content
    assert_inert(content)
    assert "evil.example" not in raw
