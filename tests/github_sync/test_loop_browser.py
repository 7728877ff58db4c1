"""The fixed issues, the thanks and the "Shipped in" record in a real browser (Debian's Chromium through
Playwright) at desktop width and on a 390 px phone: readable, nothing wider than the screen, nothing
the Content-Security-Policy blocks. Screenshots go to ``$LOOP_SCREENSHOTS`` when it is set."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright import sync_api as playwright_api

from entries import github_loop
from tests.browser import CHROMIUM, NEEDS_CHROMIUM
from tests.factories import make_entry, make_repo

REPO = "acme/exporter"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def seeded(account):
    record, django_user, _ = account()
    make_repo(record, name=REPO)
    entry = make_entry(record, repo_id=REPO, pr_id=42, status="published", publishedAt="2026-03-10T10:00:00Z",
                       title="Exports keep emoji and accents intact across every spreadsheet format",
                       prUrl=f"https://github.com/{REPO}/pull/42")
    github_loop.loop_write(entry=entry, numbers=[12, 13, 1047], credits={
        "author": {"login": "a-first-time-contributor-with-a-long-login"}, "firstContribution": True,
        "coAuthors": [{"login": "janedoe", "name": "Jane Doe"}, {"login": None, "name": "Sam Smith"}]})
    github_loop.fix_titles_write(entry=entry, titles={12: "Export fails on emoji in sheet names", 13: None,
                                                      1047: "CSV export mangles accented characters"})
    github_loop.shipped_write(entry.id, {"state": "partial", "detail": "Some comments could not be posted; see below.",
                                         "updatedAt": "2026-03-10T10:01:00Z", "targets": {
        "12": {"kind": "issue", "state": "posted", "commentId": 1012, "label": "released"},
        "13": {"kind": "issue", "state": "not_found", "detail": "GitHub has no such issue any more."},
        "1047": {"kind": "issue", "state": "failed", "detail": "GitHub rejected the comment: locked."},
        "42": {"kind": "pr", "state": "posted", "commentId": 1042}}})
    return django_user, entry


@pytest.fixture
def browser(live_server, client, seeded):
    """``(browser, session cookie of the entry's owner, entry)``; Playwright starts once the data is
    written (Django refuses database calls from inside its event loop)."""
    django_user, entry = seeded
    client.force_login(django_user)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched, cookie, entry
        launched.close()


def visit(browser, url, size, cookie=None):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    if cookie:
        context.add_cookies([cookie])
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, console


def fits(page):
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def shoot(page, name):
    folder = os.environ.get("LOOP_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_entry_shows_fixes_and_thanks_at_any_width(live_server, browser, width):
    page, console = visit(browser[0], f"{live_server.url}/changelog/{REPO}/42/", WIDTHS[width])
    shoot(page, f"public-entry-{width}")

    fix = page.locator(".entry-loop .fixes a").first
    playwright_api.expect(fix).to_have_text("#12 Export fails on emoji in sheet names")
    playwright_api.expect(page.locator(".entry-loop .thanks")).to_contain_text("first contribution")
    assert fits(page) and not [text for text in console if "Content Security Policy" in text]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_changelog_group_ends_with_its_contributors(live_server, browser, width):
    page, _ = visit(browser[0], f"{live_server.url}/changelog/{REPO}/", WIDTHS[width])
    shoot(page, f"public-changelog-{width}")

    playwright_api.expect(page.locator(".group-contributors")).to_contain_text("@janedoe")
    assert fits(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_editor_shows_what_was_posted_on_github(live_server, browser, width):
    launched, cookie, entry = browser
    page, console = visit(launched, f"{live_server.url}/dashboard/entries/{entry.id}/", WIDTHS[width], cookie)
    shoot(page, f"editor-{width}")
    folder = os.environ.get("LOOP_SCREENSHOTS")
    if folder:
        page.locator("#github-loop").screenshot(path=str(Path(folder) / f"editor-loop-{width}.png"))

    loop = page.locator("#github-loop")
    playwright_api.expect(loop).to_contain_text("Partly posted.")
    playwright_api.expect(loop.locator(".loop-targets")).to_contain_text("GitHub rejected the comment: locked.")
    playwright_api.expect(loop.get_by_role("button", name="Post again")).to_be_visible()
    assert fits(page) and not [text for text in console if "Content Security Policy" in text]
