"""The widget in a real browser (Debian's Chromium through Playwright), embedded by a host page
served from another origin, against the live Django server."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from playwright import sync_api as playwright_api

from changelog_site.kv import keys
from tests.browser import CHROMIUM, NEEDS_CHROMIUM, USER_AGENT
from tests.factories import make_entry, make_repo, make_user, make_widget
from tests.widget.conftest import REPO, publish

expect = playwright_api.expect
HOSTILE_CSS = "* { all: unset !important } button { display: none !important }"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    NEEDS_CHROMIUM,
]


def host_page(shiplog_url, widget_id, extra=""):
    return (f"<!doctype html><html><head><title>Customer site</title><style>{HOSTILE_CSS}</style></head>"
            f"<body><h1>Acme</h1><p>Our product.</p><button id=own>Host button</button>{extra}"
            f'<script src="{shiplog_url}/widget.js" data-widget-id="{widget_id}" async></script></body></html>')


@pytest.fixture
def host_server():
    """A second origin (its own port) serving the host pages put in ``pages``."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 204)  # 204 for /favicon.ico: no 404 in the console
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()


@pytest.fixture
def embed(live_server, host_server, settings, redis_db):
    """A widget with three published entries, embedded by a host page on another origin."""
    settings.PUBLIC_BASE_URL = live_server.url
    user = make_user()
    make_repo(user, name=REPO)
    entries = [publish(user, n) for n in (1, 2, 3)]
    make_entry(user, repo_id=REPO, pr_id=4, status="draft", title="Not yet")
    widget = make_widget(user, repo_id=REPO)
    origin, pages = host_server
    pages["/"] = host_page(live_server.url, widget.id)
    pages["/own-button"] = host_page(live_server.url, widget.id, '<a href="#" id=mine data-shiplog-trigger>News</a>')
    return {"origin": origin, "widget": widget, "entries": entries, "redis": redis_db}


@pytest.fixture
def browser_page():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(user_agent=USER_AGENT, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(error))
        yield context, page, errors
        browser.close()


def redis_value(embed, key, expected, page):
    """The raw Redis value of ``key`` once it equals ``expected`` (beacons arrive asynchronously)."""
    for _ in range(50):
        value = embed["redis"].get(key)
        if value == expected:
            return value
        page.wait_for_timeout(100)
    return embed["redis"].get(key)


def test_it_shows_the_unread_badge_lists_entries_and_counts_a_click(embed, browser_page):
    context, page, errors = browser_page
    widget_id = embed["widget"].id

    page.goto(embed["origin"] + "/")
    launcher = page.locator("shiplog-widget .launch")
    expect(launcher).to_be_visible()
    expect(page.locator("shiplog-widget .badge")).to_have_text("3")
    assert redis_value(embed, keys.widget_impressions(widget_id), "1", page) == "1"

    launcher.click()
    items = page.locator("shiplog-widget .item")
    expect(page.locator("shiplog-widget [role=dialog]")).to_be_visible()
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Dark mode, part 3")
    expect(page.locator("shiplog-widget .badge")).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "true")

    with context.expect_page():
        items.first.click()
    clicked = keys.widget_entry_clicks(widget_id, embed["entries"][2].id)
    assert redis_value(embed, clicked, "1", page) == "1"
    assert redis_value(embed, keys.widget_clicks(widget_id), "1", page) == "1"

    page.reload()
    expect(launcher).to_be_visible()
    expect(page.locator("shiplog-widget .badge")).to_be_hidden()
    assert errors == []


def test_it_resists_hostile_host_css_and_leaves_the_host_alone(embed, browser_page):
    _, page, errors = browser_page

    page.goto(embed["origin"] + "/")
    launcher = page.locator("shiplog-widget .launch")
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    launcher.click()
    panel = page.locator("shiplog-widget .panel").bounding_box()

    assert page.locator("#own").is_hidden()  # the host's own rule still applies to the host
    assert box["width"] == box["height"] == 54 and box["x"] + 54 == pytest.approx(1280 - 20, abs=1)
    assert box["y"] + 54 == pytest.approx(800 - 20, abs=1)
    assert panel["width"] == 360 and panel["y"] + panel["height"] < box["y"]
    assert errors == []


def test_it_is_keyboard_accessible(embed, browser_page):
    _, page, _ = browser_page
    page.goto(embed["origin"] + "/")
    launcher = page.locator("shiplog-widget .launch")
    expect(launcher).to_be_visible()

    expect(launcher).to_have_attribute("aria-label", "What's new, 3 unread")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.locator("shiplog-widget .item").first).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("shiplog-widget .x")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the focus trap wraps to the last control
    expect(page.locator("shiplog-widget .all")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("shiplog-widget .x")).to_be_focused()
    page.keyboard.press("Escape")

    expect(page.locator("shiplog-widget [role=dialog]")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-label", "What's new")


def test_it_offers_a_javascript_api_and_the_hosts_own_trigger(embed, browser_page):
    _, page, errors = browser_page
    page.goto(embed["origin"] + "/own-button")
    trigger = page.locator("#mine")
    expect(trigger).to_have_attribute("data-shiplog-unread", "3")
    page.evaluate("() => { window.counts = []; Shiplog.onUnreadChange((n) => window.counts.push(n)); }")

    expect(page.locator("shiplog-widget .launch")).to_be_hidden()
    trigger.click()
    expect(page.locator("shiplog-widget [role=dialog]")).to_be_visible()
    page.evaluate("Shiplog.close()")
    expect(page.locator("shiplog-widget [role=dialog]")).to_be_hidden()
    page.evaluate("Shiplog.open()")

    expect(page.locator("shiplog-widget [role=dialog]")).to_be_visible()
    assert page.evaluate("window.counts") == [3, 0]
    assert trigger.get_attribute("data-shiplog-unread") is None
    assert errors == []


def test_it_stays_silent_when_the_api_is_down(embed, browser_page):
    _, page, errors = browser_page
    page.route("**/api/widget/**", lambda route: route.abort("connectionrefused"))

    page.goto(embed["origin"] + "/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)

    assert page.locator("shiplog-widget").count() == 0  # nothing half-built on the host page
    assert page.evaluate("typeof Shiplog.open") == "function"
    page.evaluate("Shiplog.open(); Shiplog.close()")
    # Chromium itself logs the refused request ("Failed to load resource: net::ERR_CONNECTION_REFUSED",
    # located at the API's URL); no exception, no rejection, nothing logged by the widget
    network = [e for e in errors if getattr(e, "text", "").startswith("Failed to load resource")
               and "/api/widget/" in e.location["url"]]
    assert len(network) == 1 and [error for error in errors if error not in network] == []


@pytest.fixture
def owner_session(live_server, client, account):
    """A signed-in owner with a widget (made before the browser starts: the ORM refuses to run
    beside Playwright's event loop); returns their session cookie."""
    record, django_user, _ = account()
    make_repo(record, name=REPO)
    publish(record, 1, title="Previewed entry")
    make_widget(record, repo_id=REPO)
    client.force_login(django_user)
    return {"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}


def test_it_previews_the_customizer_live_with_the_real_script_under_the_csp(live_server, owner_session, browser_page):
    context, page, errors = browser_page
    context.add_cookies([owner_session])

    page.goto(live_server.url + "/dashboard/widget/")
    panel = page.locator("#widget-stage shiplog-widget .panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Previewed entry")
    page.locator("label.wz-tile", has_text="Top left").click()
    page.locator("label.wz-segment", has_text="Small").click()

    expect(page.locator("#widget-stage shiplog-widget")).to_have_attribute("pos", "top-left")
    assert panel.bounding_box()["width"] == 300
    assert errors == []  # a blocked script or style would be a console error (CSP violation)
