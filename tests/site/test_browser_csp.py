"""A real browser (Debian's Chromium through Playwright) under the Content-Security-Policy: the
dashboard, the editor, the public changelog and Swagger UI work, and nothing is blocked."""


import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from playwright import sync_api as playwright_api

from changelog_site import front
from changelog_site.wsgi import application
from engagement import services as engagement
from tests.browser import CHROMIUM, NEEDS_CHROMIUM, RECORD_VIOLATIONS, USER_AGENT
from tests.factories import make_entry, make_repo

expect = playwright_api.expect
REPO = "octo-org/octo-repo"

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def site(live_server, client, account):
    """A signed-in owner with a draft and a published entry, and the browser cookie of their session."""
    record, django_user, _ = account()
    make_repo(record, name=REPO)
    draft = make_entry(record, repo_id=REPO, pr_id=7, title="A draft to edit", body="Original **text**")
    make_entry(record, repo_id=REPO, pr_id=8, title="Shipped thing", status="published",
               publishedAt="2026-03-10T10:00:00Z")
    engagement.branding_update(user_id=record.id, repo_id=REPO, accent_color="#0a7c59")
    client.force_login(django_user)
    return {"url": live_server.url, "draft": draft, "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.fixture
def browse(site):

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(user_agent=USER_AGENT)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": site["session"], "url": site["url"]}])
        context.add_init_script(RECORD_VIOLATIONS)
        console = []
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text))

        def visit(path):
            page.goto(site["url"] + path)
            page.wait_for_load_state("networkidle")
            return page

        yield visit, page, console
        browser.close()


def violations(page, console):
    return page.evaluate("window.__cspViolations") + [text for text in console if "Content Security Policy" in text]


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_dashboard_and_editor_scripts_without_a_csp_violation(site, browse):
    visit, page, console = browse
    seen = []

    visit("/dashboard/")
    seen += violations(page, console)
    visit("/dashboard/drafts/")
    page.check("[data-select-all]")
    assert page.is_checked('input[name="entry"]')
    seen += violations(page, console)
    visit("/dashboard/repositories/")
    seen += violations(page, console)
    visit(f"/dashboard/entries/{site['draft'].id}/")
    page.fill("#id_body", "Now *previewed* live")
    expect(page.locator("[data-preview-for=id_body] em")).to_have_text("previewed")
    seen += violations(page, console)

    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_public_changelog_and_its_upvote_script_without_a_csp_violation(site, browse):
    visit, page, console = browse

    visit(f"/changelog/{REPO}/")
    page.click("form[data-upvote] button")
    expect(page.locator("[data-count]")).to_have_text("1")
    accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent')")

    assert accent.strip() == "#0a7c59"  # the nonce'd branding <style> applied
    assert violations(page, console) == []


@pytest.fixture
def served(site, no_front_routes):
    """The served WSGI application (the front door, then Django) on a free port, as the web server
    runs it (the live server above runs Django's handler alone), with the static files; yields its
    URL and the paths Django answered."""
    by_django = []

    def django(environ, start_response):
        by_django.append(environ["PATH_INFO"])
        return application.app(environ, start_response)

    class Threaded(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, StaticFilesHandler(front.FrontDoor(django)), server_class=Threaded,
                         handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", by_django
    server.shutdown()


@pytest.mark.django_db(transaction=True)
def test_it_runs_pages_the_front_door_answers_without_a_csp_violation(site, served, browse):
    _, page, console = browse
    url, by_django = served
    for _ in range(2):  # Django answers the first visit, the front door the second
        page.goto(f"{url}/changelog/{REPO}/")
        page.wait_for_load_state("networkidle")

    page.click("form[data-upvote] button")
    expect(page.locator("[data-count]")).to_have_text("1")
    accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent')")

    assert by_django.count(f"/changelog/{REPO}/") == 1
    assert accent.strip() == "#0a7c59"  # the branding <style> carries the front door's own nonce
    assert violations(page, console) == []


@pytest.mark.django_db(transaction=True)
def test_it_runs_swagger_ui_and_the_admin_without_a_csp_violation(site, browse):
    visit, page, console = browse

    visit("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shiplog API")
    seen = violations(page, console)
    visit("/admin/login/")
    seen += violations(page, console)

    assert seen == []
