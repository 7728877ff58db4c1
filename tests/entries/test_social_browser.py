"""The Social posts page in a real browser (Debian's Chromium through Playwright): the live counter
counts exactly as the server does, the LinkedIn preview folds at "…see more", copy works, and the
Content-Security-Policy blocks nothing."""


import pytest
from django.conf import settings
from playwright import sync_api as playwright_api

from entries.tweet_length import weighted_length
from tests.browser import CHROMIUM, NEEDS_CHROMIUM
from tests.factories import make_entry, make_social

expect = playwright_api.expect
TRICKY = [
    "english text 日本語 😷 https://example.com",
    "Docs: README.md, shiplog.dev/x?y=1. (see https://en.wikipedia.org/wiki/Foo_(bar)).",
    "👨‍👩‍👧‍👦 🇯🇵 👍🏽 1️⃣ … “quotes” — http://localhost:8000/x café",
    "한국어 中文 ダークモード。 #DarkMode @octocat foo_bar.com -x.com a.b.c.io/path",
]

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def page_of(live_server, client, account):
    record, django_user, _ = account()
    entry = make_entry(record, title="Dark mode")
    make_social(record, entry, "twitter", tweets=["First post 1/2", "Second post 2/2"])
    make_social(record, entry, "linkedin", post="The hook line.\n\nThe body, hidden until see more.")
    client.force_login(django_user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        page = context.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"{live_server.url}/dashboard/entries/{entry.id}/social/")
        page.wait_for_load_state("networkidle")
        yield page, console
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_the_live_counter_counts_as_the_server_does(page_of):
    page, console = page_of
    page.click("text=Edit the thread")

    for text in TRICKY:
        page.fill("#tweet-1", text)
        expect(page.locator('.x-foot [data-counter-of="tweet-1"]')).to_have_text(f"{weighted_length(text)}/280")

    page.fill("#tweet-1", "日" * 141)
    expect(page.locator('.x-foot [data-counter-of="tweet-1"]')).to_have_class("counter over")
    assert not [text for text in console if "Content Security Policy" in text or "Error" in text]


@pytest.mark.django_db(transaction=True)
def test_the_linkedin_preview_folds_and_copy_puts_the_post_on_the_clipboard(page_of):
    page, _ = page_of

    expect(page.locator(".li-rest")).to_be_hidden()
    page.click("[data-see-more]")
    expect(page.locator(".li-rest")).to_have_text("The body, hidden until see more.")
    page.click("text=Copy all posts")

    assert page.evaluate("navigator.clipboard.readText()") == "First post 1/2\n\nSecond post 2/2"
