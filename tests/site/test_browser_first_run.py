"""A new user's first steps in a real browser (Debian's Chromium through Playwright): the landing
page, the editor keeping every edit, and the dashboard menu at phone width (390 px)."""


import pytest
from django.conf import settings
from playwright import sync_api as playwright_api

from entries.models import Entry
from tests.browser import CHROMIUM, NEEDS_CHROMIUM
from tests.factories import make_entry, make_repo

expect = playwright_api.expect
REPO = "octo-org/octo-repo"
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    NEEDS_CHROMIUM,
]


@pytest.fixture
def chromium():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def owner(live_server, client, account):
    """A signed-in owner with one draft; ``session`` is the browser cookie of their session."""
    record, django_user, _ = account()
    make_repo(record, name=REPO)
    draft = make_entry(record, repo_id=REPO, pr_id=7, title="fix: crash on save", body="Original body")
    client.force_login(django_user)
    return {"url": live_server.url, "draft": draft, "email": django_user.email,
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


def signed_in_page(chromium, owner, viewport=None):
    context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": owner["session"], "url": owner["url"]}])
    return context.new_page()


def overflows(page):
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_the_landing_page_shows_the_product_and_leads_to_sign_up(live_server, chromium):
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page = chromium.new_page(viewport=viewport)
        page.goto(live_server.url + "/")

        expect(page.locator("h1")).to_contain_text("changelog")
        assert page.locator(".hero-shot img").evaluate("image => image.naturalWidth") > 0
        assert not overflows(page)
        expect(page.locator(".site-nav a[href='/pricing/']")).to_be_visible()
        page.locator(".hero-actions a[href='/accounts/signup/']").click()
        expect(page).to_have_url(live_server.url + "/accounts/signup/")
        expect(page.locator("input[name=password1]")).to_be_visible()
        page.close()


def test_edit_then_publish_keeps_the_edit(owner, chromium):
    page = signed_in_page(chromium, owner)
    page.goto(f"{owner['url']}/dashboard/entries/{owner['draft'].id}/")

    page.fill("#id_title", "Saving never crashes any more")
    page.fill("#id_body", "Edited body")
    expect(page.locator("[data-unsaved-note]")).to_be_visible()
    page.get_by_role("button", name="Save and publish").click()

    expect(page.locator(".messages")).to_contain_text("Saved. Published.")
    stored = Entry.get_by_id(owner["draft"].id)
    assert (stored.title, stored.body, stored.status) == ("Saving never crashes any more", "Edited body", "published")


def test_leaving_the_editor_with_unsaved_changes_asks_first(owner, chromium):
    page = signed_in_page(chromium, owner)
    page.goto(f"{owner['url']}/dashboard/entries/{owner['draft'].id}/")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))

    page.locator("#id_title").press_sequentially(" soon")
    page.locator("nav a[href='/dashboard/drafts/']").first.click()
    page.wait_for_timeout(500)

    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/dashboard/entries/{owner['draft'].id}/")


def test_the_phone_menu_fits_and_reaches_the_account_and_sign_out(owner, chromium):
    page = signed_in_page(chromium, owner, PHONE)
    page.goto(f"{owner['url']}/dashboard/")

    expect(page.locator("#dashboard-menu")).to_be_hidden()
    assert not overflows(page)
    page.get_by_role("button", name="Menu").click()

    expect(page.locator(".account-email")).to_have_text(owner["email"])
    for label in ("Drafts", "Billing", "Settings"):
        link = page.locator("#dashboard-menu nav a", has_text=label)
        expect(link).to_be_visible()
        assert link.bounding_box()["x"] + link.bounding_box()["width"] <= PHONE["width"]
    assert not overflows(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(owner["url"] + "/")  # signed out: the landing page for visitors
    expect(page.locator(".site-nav a[href='/accounts/login/']")).to_be_visible()
