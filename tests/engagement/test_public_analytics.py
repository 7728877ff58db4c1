"""The owner's analytics page: views/uniques per day as SVG, most viewed and upvoted (branding lives on the
repository's settings page: tests/repos/test_repo_settings.py)."""

from datetime import date, timedelta

import pytest
from django.test import Client

from engagement import services
from engagement.models import EntryUpvotes
from tests.engagement.public_helpers import REPO, connected, published
from tests.factories import make_repo

pytestmark = pytest.mark.django_db


def test_it_sums_views_and_uniques_per_day_and_ranks_entries(redis_db):
    owner = connected()
    popular = published(owner, pr_id=1, title="Popular")
    quiet = published(owner, pr_id=2, title="Quiet")
    day = date(2026, 3, 9)
    for visitor in ("a", "b", "a"):
        services.page_view_record(entry_id=popular.id, visitor_id=visitor, day=day)
    services.page_view_record(entry_id=quiet.id, visitor_id="a", day=day + timedelta(days=1))
    EntryUpvotes(quiet.id).upvote("u_1")

    summary = services.analytics_summary(user_id=owner.id, repo_id=REPO, start=day, end=day + timedelta(days=2))

    assert [(p["views"], p["uniques"]) for p in summary["series"]] == [(3, 2), (1, 1), (0, 0)]
    assert summary["total_views"] == 4
    assert [row["entry"].title for row in summary["most_viewed"]] == ["Popular", "Quiet"]
    assert [row["entry"].title for row in summary["most_upvoted"]] == ["Quiet"]


def test_it_renders_the_page_with_an_svg_chart(signed_in):
    client, owner = signed_in
    make_repo(owner, name=REPO)
    entry = published(owner, pr_id=1, title="Popular")
    services.page_view_record(entry_id=entry.id, visitor_id="a")

    response = client.get("/dashboard/analytics/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<polyline" in html
    assert "Popular" in html
    assert response["Cache-Control"] == "private, no-store"


def test_it_refuses_another_users_repository(signed_in):
    client, _ = signed_in
    connected()

    response = client.get("/dashboard/analytics/", {"repo": REPO})

    assert response.status_code == 404


def test_it_requires_sign_in(redis_db):
    assert Client().get("/dashboard/analytics/").status_code == 302


def test_it_leaves_branding_to_the_repository_settings_page(signed_in):
    client, owner = signed_in
    make_repo(owner, name=REPO)

    html = client.get("/dashboard/analytics/", {"repo": REPO}).content.decode()

    assert 'name="accentColor"' not in html and "Save branding" not in html
    assert f'href="/dashboard/repositories/{REPO}/rules/#branding"' in html
    assert client.post("/dashboard/analytics/branding/", {"repo": REPO, "name": "Octo"}).status_code == 404
    assert services.branding_get(repo_id=REPO)["custom"] is False
