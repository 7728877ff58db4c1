"""The admin in a real browser (Debian's Chromium through Playwright), at desktop width: the
totals, a changelist, and an action run from a record's page, under the Content-Security-Policy."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from playwright import sync_api as playwright_api

from tests.admin.conftest import ALICE, BOB
from tests.browser import CHROMIUM, NEEDS_CHROMIUM, RECORD_VIOLATIONS

expect = playwright_api.expect

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def browse(live_server, client, keyspace, staff):
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        failed = []
        page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)

        def visit(path):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            return page

        yield visit, page, failed
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_staff_read_the_totals_and_grant_pro_from_a_users_page(browse):
    visit, page, failed = browse

    visit("/admin/")
    expect(page.locator(".kv-total", has_text="Pro users")).to_contain_text("1")
    visit("/admin/billing/user/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text("4 published · 2 AI rewrites")
    visit(f"/admin/billing/user/{BOB}/change/")
    page.select_option(".kv-object-actions select[name=action]", "grant_pro")
    page.fill(".kv-object-actions input[name=until]", (date.today() + timedelta(days=7)).isoformat())
    page.click(".kv-object-actions button[type=submit]")
    page.wait_for_load_state("networkidle")

    expect(page.locator(".messagelist")).to_contain_text("Granted Pro to bob@example.com until")
    assert page.url.endswith(f"/admin/billing/user/{BOB}/change/")
    visit(f"/admin/billing/user/?q={ALICE}")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    assert page.evaluate("window.__cspViolations") == [] and failed == []
