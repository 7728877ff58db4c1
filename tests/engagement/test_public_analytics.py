"""The owner's analytics page: views/uniques per day as SVG, most viewed and upvoted (branding lives on the
repository's settings page: tests/repos/test_repo_settings.py)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from billing.models import Account
from engagement import services
from engagement.models import EntryUpvotes
from tests.engagement.public_helpers import REPO, connected, published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def owner_client(record):
    django_user = get_user_model().objects.create_user(username=record.id, email=record.email, password="x")
    Account.objects.create(user=django_user, shiplog_user_id=record.id)
    client = Client()
    client.force_login(django_user)
    return client


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


def test_it_renders_the_page_with_an_svg_chart(redis_db):
    owner = connected()
    entry = published(owner, pr_id=1, title="Popular")
    services.page_view_record(entry_id=entry.id, visitor_id="a")

    response = owner_client(owner).get("/dashboard/analytics/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<polyline" in html
    assert "Popular" in html
    assert response["Cache-Control"] == "private, no-store"


def test_it_refuses_another_users_repository(redis_db):
    connected()
    stranger = make_user()

    response = owner_client(stranger).get("/dashboard/analytics/", {"repo": REPO})

    assert response.status_code == 404


def test_it_requires_sign_in(redis_db):
    assert Client().get("/dashboard/analytics/").status_code == 302


def test_it_leaves_branding_to_the_repository_settings_page(redis_db):
    owner = connected()
    client = owner_client(owner)

    html = client.get("/dashboard/analytics/", {"repo": REPO}).content.decode()

    assert 'name="accentColor"' not in html and "Save branding" not in html
    assert f'href="/dashboard/repositories/{REPO}/rules/#branding"' in html
    assert client.post("/dashboard/analytics/branding/", {"repo": REPO, "name": "Octo"}).status_code == 404
    assert services.branding_get(repo_id=REPO)["custom"] is False
