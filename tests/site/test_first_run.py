"""What a new user meets first: the landing page, pricing, sign-up rules, error pages, the favicon,
and wording that matches what the server can do."""

from datetime import datetime, timezone

import pytest
import time_machine
from django.test import RequestFactory

from billing.models import Usage
from changelog_site.errors import server_error
from engagement.analytics_page import analytics_chart_svg, chart_top
from github_sync.services.rules import sync_settings_update
from tests.factories import make_entry

pytestmark = pytest.mark.django_db
MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)


def test_visitors_get_a_landing_page_with_sign_up_sign_in_and_pricing(client):
    page = client.get("/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/accounts/signup/"' in html and 'href="/accounts/login/"' in html and 'href="/pricing/"' in html
    assert "img/changelog-example.jpg" in html


def test_signed_in_users_go_from_the_home_page_to_the_dashboard(signed_in):
    client, _ = signed_in

    response = client.get("/")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_pricing_for_visitors_asks_them_to_sign_up_and_names_no_setting(client, settings):
    settings.DODO_API_URL, settings.DODO_API_KEY = "", ""

    html = client.get("/pricing/").content.decode()

    assert "Sign up free" in html and 'href="/accounts/signup/"' in html
    assert "DODO_" not in html and "PRODUCT_ID" not in html


def test_users_who_are_not_staff_see_no_operator_settings_on_billing(signed_in, settings):
    client, _ = signed_in
    settings.DODO_API_URL, settings.DODO_API_KEY = "", ""

    for path in ("/pricing/", "/dashboard/billing/"):
        assert "DODO_" not in client.get(path).content.decode()


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "dev1@example.com"])
def test_sign_up_refuses_weak_passwords(client, password):
    response = client.post("/accounts/signup/", {"email": "dev1@example.com", "password1": password,
                                                 "password2": password})

    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_the_account_pages_link_to_a_real_contact_address(client, settings):
    settings.SUPPORT_EMAIL = "help@acme.example"

    for path in ("/accounts/password/reset/", "/accounts/login/"):
        assert 'href="mailto:help@acme.example"' in client.get(path).content.decode()


def test_without_github_oauth_no_page_offers_to_sign_in_with_github(signed_in, settings):
    client, _ = signed_in
    settings.GITHUB_CLIENT_ID = settings.GITHUB_CLIENT_SECRET = ""

    pages = [client.get(path).content.decode() for path in ("/dashboard/", "/dashboard/settings/")]
    client.logout()
    pages.append(client.get("/accounts/login/").content.decode())

    assert all("Sign in with GitHub" not in page for page in pages)
    assert "personal access token" in pages[0] and "personal access token" in pages[1]


def test_unknown_pages_get_a_styled_404_and_unknown_api_paths_the_contract_json(signed_in):
    client, _ = signed_in

    page = client.get("/no/such/page/")
    entry = client.get("/dashboard/entries/ent_doesnotexist/")
    api = client.get("/api/no/such/thing/")

    assert page.status_code == 404 and "Page not found" in page.content.decode()
    assert "css/shiplog.css" in page.content.decode() and 'href="/dashboard/"' in page.content.decode()
    assert entry.status_code == 404 and "No such entry." in entry.content.decode()
    assert api.status_code == 404 and api.json() == {"code": "not_found", "detail": "There is nothing at this address."}


def test_a_server_error_page_is_styled_and_needs_no_context():
    response = server_error(RequestFactory().get("/dashboard/"))

    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    assert "css/shiplog.css" in response.content.decode()


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"


@time_machine.travel(MARCH, tick=False)
def test_the_usage_card_says_the_limit_is_reached_not_close_at_10_of_10(signed_in):
    client, me = signed_in
    Usage(me.id, "2026-03").increment("entriesPublished", 10)

    html = client.get("/dashboard/drafts/").content.decode()

    assert "reached the Free plan's limit of 10 published entries" in html and "close to" not in html
    assert "counts once a month" in html


def test_the_chart_without_data_has_distinct_ticks_and_keeps_its_last_label_inside():
    days = [datetime(2026, 12, day).date() for day in range(1, 10)]

    svg = analytics_chart_svg([{"day": day, "views": 0, "uniques": 0} for day in days])

    assert [chart_top(peak) for peak in (0, 1, 7, 37, 120)] == [2, 2, 8, 40, 150]
    assert ">0</text>" in svg and ">1</text>" in svg and ">2</text>" in svg and "No views" in svg
    assert 'text-anchor="end" class="axis">Dec 9</text>' in svg


def test_draft_rules_report_every_bad_line(signed_in):
    from changelog_site.kv.records import ValidationError

    _, me = signed_in
    with pytest.raises(ValidationError) as error:
        sync_settings_update(user_id=me.id, github_repo_id=1, skip_label="", skip_bots=False, bot_patterns="",
                             label_rules="ux = Improved\nbug is Fixed\n\nperf = Faster", prefix_rules="")

    assert error.value.errors["label_rules"].startswith("lines 2 (bug is Fixed), 4 (perf = Faster)")


def test_the_public_heading_wraps_a_repository_name_only_after_its_slash(client, redis_db):
    from tests.engagement.public_helpers import BASE, browser, connected, published

    published(connected(), pr_id=1)

    html = browser().get(BASE).content.decode()

    assert '<span class="name-part">octo-org/</span><span class="name-part">octo-repo</span>' in html


def test_the_editor_names_the_built_in_writer_when_no_provider_is_configured(signed_in):
    client, me = signed_in

    html = client.get(f"/dashboard/entries/{make_entry(me).id}/").content.decode()

    assert "built-in writer" in html and "Rewrite with AI" not in html
