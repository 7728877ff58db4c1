"""The dashboard's Widget pages: customizer (create, save, regenerate, switch) and analytics."""

import re
from datetime import date, timedelta

import pytest

from tests.factories import make_repo, make_widget
from tests.widget.conftest import REPO, publish
from widget.models import WidgetConfig, WidgetCounters

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard(signed_in):
    client, record = signed_in
    make_repo(record, name=REPO)
    publish(record, 1)
    return client, record


def form(**overrides):
    values = {"repo": REPO, "primary": "#0f766e", "background": "#ffffff", "text": "#111827",
              "position": "top-left", "size": "small", "showDate": "on", "showNewBadge": "on"}
    values.update(overrides)
    return values


def test_it_offers_to_create_a_widget_instead_of_coming_soon(dashboard):
    client, _ = dashboard

    page = client.get("/dashboard/widget/").content.decode()

    assert "Coming soon" not in page and "Create widget" in page


def test_it_creates_the_widget_and_shows_the_snippet_and_a_live_preview(dashboard):
    client, record = dashboard

    response = client.post("/dashboard/widget/create/", {"repo": REPO}, follow=True)

    widget = WidgetConfig.get(record.id, REPO)
    page = response.content.decode()
    assert widget is not None
    assert f'data-widget-id="{widget.id}"' in page and 'src="/widget.js"' in page
    assert f"&lt;script src=&quot;http://testserver/widget.js&quot; data-widget-id=&quot;{widget.id}&quot;" in page
    assert 'id="wz-preview-data" type="application/json"' in page


def test_it_saves_the_customized_appearance(dashboard):
    client, record = dashboard
    make_widget(record, repo_id=REPO)

    response = client.post("/dashboard/widget/", form())

    widget = WidgetConfig.get(record.id, REPO)
    assert response.status_code == 302
    assert widget.colors["primary"] == "#0f766e" and (widget.position, widget.size) == ("top-left", "small")
    assert widget.options == {"showDate": True, "showCategory": False, "showNewBadge": True}


def test_it_shows_the_errors_of_an_invalid_form(dashboard):
    client, record = dashboard
    make_widget(record, repo_id=REPO)

    response = client.post("/dashboard/widget/", form(primary="teal", position="middle"))

    assert response.status_code == 400 and "Enter a hex color" in response.content.decode()
    assert WidgetConfig.get(record.id, REPO).position == "bottom-right"


def test_it_regenerates_the_id_from_the_page(dashboard):
    client, record = dashboard
    old = make_widget(record, repo_id=REPO).id

    client.post("/dashboard/widget/regenerate/", {"repo": REPO})

    assert WidgetConfig.get(record.id, REPO).id != old and WidgetConfig.get_by_id(old) is None


def test_it_switches_the_widget_off_and_says_so(dashboard):
    client, record = dashboard
    make_widget(record, repo_id=REPO)

    page = client.post("/dashboard/widget/switch/", {"repo": REPO, "enabled": "0"}, follow=True).content.decode()

    assert "This widget is switched off" in page and "Switch on" in page


def test_it_refuses_a_repository_the_user_did_not_connect(dashboard):
    client, _ = dashboard

    assert client.get("/dashboard/widget/?repo=someone/else").status_code == 404
    assert client.post("/dashboard/widget/create/", {"repo": "someone/else"}).status_code == 404
    assert client.get("/dashboard/widget/analytics/?repo=someone/else").status_code == 404


def test_it_shows_impressions_clicks_and_click_through_per_day_and_per_entry(dashboard):
    client, record = dashboard
    widget = make_widget(record, repo_id=REPO)
    entry = publish(record, 2, title="Faster search")
    counters = WidgetCounters(widget.id)
    yesterday = date.today() - timedelta(days=1)
    for _ in range(4):
        counters.impression(day=yesterday)
    counters.click(entry_id=entry.id, day=yesterday)

    page = client.get(f"/dashboard/widget/analytics/?repo={REPO}").content.decode()

    assert "<svg" in page and 'aria-label="Widget impressions, clicks and click-through rate per day"' in page
    assert re.search(r'class="stat">4<.*impressions', page, re.S) and "25.0%" in page
    assert re.search(r"Faster search</a></td><td class=\"num\">1</td><td class=\"num\">25.0%", page)
    assert page.count("<rect") == 60  # 30 days, two bars each


def test_it_shows_90_days_on_request_and_refuses_other_periods(dashboard):
    client, record = dashboard
    make_widget(record, repo_id=REPO)

    ninety = client.get(f"/dashboard/widget/analytics/?repo={REPO}&days=90")
    other = client.get(f"/dashboard/widget/analytics/?repo={REPO}&days=7")

    assert ninety.status_code == 200 and ninety.content.decode().count("<rect") == 180
    assert other.status_code == 400


def test_it_keeps_the_widget_in_the_dashboard_navigation(dashboard):
    client, _ = dashboard

    page = client.get("/dashboard/widget/").content.decode()

    assert 'href="/dashboard/widget/" aria-current="page">Widget</a>' in page
