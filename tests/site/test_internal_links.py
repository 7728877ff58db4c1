"""Every link a page, a feed or the API hands out resolves: a crawl of the demo account's pages
(``manage.py demo``), signed in and signed out, finds no 4xx or 5xx."""

import io
import re
from collections import deque
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from accounts.models import Account
from accounts.services import account_by_email
from billing.models import Usage
from entries.demo import DEMO_EMAIL, DEMO_REPO
from entries.models import Entry

pytestmark = pytest.mark.django_db

LINK = re.compile(r"""(?:href|src|action|data-progress-url)=["']([^"'#]+)""")
ABSOLUTE = re.compile(r"""https?://testserver(/[^\s"'<>)]*)""")
# POST-only endpoints a page names in a form; the crawl reads pages, it does not press buttons.
FORM_TARGET = re.compile(r"""<form[^>]*method=["']post["'][^>]*action=["']([^"']+)""", re.IGNORECASE)
SKIPPED = ("/accounts/logout/",)
MAX_PAGES = 400
MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


def links_in(path, response):
    """Internal paths named in a page, feed or JSON body (POST form targets and static files apart)."""
    content_type = response.get("Content-Type", "")
    if not any(kind in content_type for kind in ("html", "xml", "json")):
        return set(), set()
    text = response.content.decode()
    posted = {urljoin(path, target) for target in FORM_TARGET.findall(text)}
    found = {urljoin(path, link) for link in LINK.findall(text)} | set(ABSOLUTE.findall(text))
    internal = set()
    for link in found:
        parts = urlsplit(link)
        if parts.scheme in ("http", "https") and parts.netloc != "testserver":
            continue
        if parts.scheme not in ("", "http", "https") or link in posted:
            continue
        internal.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    static = {link for link in internal if link.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/")
                                                          else "/" + settings.STATIC_URL)}
    return internal - static, static


def crawl(client, starts):
    """Visit every internal link reachable from ``starts``; returns ``{path: status}`` of the broken ones."""
    seen, broken, static = set(starts), {}, set()
    queue = deque(starts)
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path, follow=True)
        if response.status_code >= 400:
            broken[path] = response.status_code
            continue
        pages, files = links_in(path, response)
        static |= files
        for link in sorted(pages - seen):
            if not link.startswith(SKIPPED):
                seen.add(link)
                queue.append(link)
    static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    broken.update({path: 404 for path in static if not finders.find(path.split("?")[0][len(static_prefix):])})
    return broken, seen


@pytest.fixture
def demo(client):
    call_command("demo", stdout=io.StringIO())
    django_user = account_by_email(DEMO_EMAIL)
    return django_user, Account.objects.user_id_of(django_user)


def test_every_link_of_every_page_resolves_for_the_demo_account(client, demo):
    django_user, user_id = demo
    client.force_login(django_user)
    draft = Entry.page(user_id, "draft", limit=1)[0][0]

    broken, seen = crawl(client, ["/", "/dashboard/", f"/dashboard/entries/{draft.id}/", f"/changelog/{DEMO_REPO}/",
                                  f"/changelog/{DEMO_REPO}/rss.xml", f"/changelog/{DEMO_REPO}/atom.xml",
                                  f"/changelog/{DEMO_REPO}/sitemap.xml", "/api/me/", "/api/usage/"])

    assert broken == {}
    assert {"/dashboard/settings/", "/dashboard/billing/", "/pricing/", f"/changelog/{DEMO_REPO}/"} <= seen


def test_every_link_a_signed_out_visitor_meets_resolves(client, demo):
    broken, seen = crawl(client, ["/", "/pricing/", "/accounts/login/", "/accounts/signup/",
                                  "/accounts/password/reset/", f"/changelog/{DEMO_REPO}/"])

    assert broken == {}
    assert {"/accounts/signup/", "/pricing/", f"/changelog/{DEMO_REPO}/"} <= seen


@time_machine.travel(MARCH, tick=False)
def test_the_upgrade_link_of_a_plan_limit_error_resolves(client, demo):
    django_user, user_id = demo
    client.force_login(django_user)
    Usage(user_id).increment("entriesPublished", 10)
    draft = Entry.page(user_id, "draft", limit=1)[0][0]

    refused = client.post(f"/api/entries/{draft.id}/publish/")

    upgrade = refused.json()["errors"]["upgradeUrl"]
    assert refused.status_code == 402 and upgrade == f"{settings.PUBLIC_BASE_URL}/dashboard/billing/"
    assert client.get(urlsplit(upgrade).path).status_code == 200
