"""The Content-Security-Policy on every page (changelog_site/security.py): nonces instead of inline
script, framing denied except on the embeddable public pages."""

import re
from pathlib import Path

import pytest

from engagement import services as engagement
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def nonce_of(response):
    return next(source[len("'nonce-"):-1] for source in directives(response)["script-src"]
                if source.startswith("'nonce-"))


def test_it_puts_no_inline_script_handler_or_javascript_url_in_any_template():
    templates = [path for path in ROOT.rglob("*.html")
                 if ".venv" not in path.parts and "var" not in path.parts and "node_modules" not in path.parts]
    offenders = [str(path.relative_to(ROOT)) for path in templates
                 if INLINE_SCRIPT.search(text := path.read_text())
                 or EVENT_HANDLER.search(text) or "javascript:" in text]

    assert templates and offenders == []


def test_it_denies_framing_the_dashboard(signed_in):
    client, _ = signed_in

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert directives(response)["script-src"][0] == "'self'"
    assert response["X-Frame-Options"] == "DENY"


def test_it_denies_framing_the_admin(client):
    response = client.get("/admin/login/")

    assert directives(response)["frame-ancestors"] == ["'none'"] and response["X-Frame-Options"] == "DENY"


def test_it_lets_any_site_frame_the_public_changelog_by_default(redis_db):
    published(connected(), pr_id=1, title="Framed")

    response = browser().get(BASE)

    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response


def test_it_limits_framing_the_public_pages_to_the_configured_sites(redis_db, settings):
    settings.PUBLIC_FRAME_ANCESTORS = ["https://example.com", "https://*.example.com"]
    published(connected(), pr_id=1)

    response = browser().get(f"{BASE}1/")

    assert directives(response)["frame-ancestors"] == ["https://example.com", "https://*.example.com"]


def test_it_gives_the_branding_style_the_responses_nonce(redis_db):
    user = connected()
    published(user, pr_id=1)
    engagement.branding_update(user_id=user.id, repo_id=REPO, accent_color="#123456")

    response = browser().get(BASE)

    assert f'<style nonce="{nonce_of(response)}">:root{{--accent:#123456}}</style>' in response.content.decode()
    assert f"'nonce-{nonce_of(response)}'" in directives(response)["style-src"]


def test_it_serves_the_api_docs_without_inline_script(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200 and not INLINE_SCRIPT.search(page.content.decode())
    assert f'<style nonce="{nonce_of(page)}">' in page.content.decode()
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_it_sends_a_fresh_nonce_with_every_response(client):
    assert nonce_of(client.get("/api/docs/")) != nonce_of(client.get("/api/docs/"))
