"""Hostile input the fuzzer turned into 500s: each is a 4xx now, JSON on the API."""

import base64
import json

import pytest

from tests.factories import make_entry, make_repo

pytestmark = pytest.mark.django_db


def _cursor(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def api(client, account):
    client.raise_request_exception = False
    record, django_user, auth = account()
    make_repo(record)
    return client, record, django_user, auth


@pytest.mark.parametrize("path", ["/api/repos/a:b/c/", "/api/repos/a/b:c/"])
def test_it_answers_404_json_for_a_colon_in_owner_or_repo_on_the_api(api, path):
    client, _, _, auth = api

    response = client.delete(path, **auth)

    assert response.status_code == 404


@pytest.mark.parametrize("path", [
    "/dashboard/repositories/a:b/c/rules/",
    "/dashboard/repositories/a:b/c/import/progress/",
    "/dashboard/entries/a:b/",
])
def test_it_answers_404_for_a_colon_in_an_id_on_the_dashboard(api, path):
    client, _, django_user, _ = api
    client.force_login(django_user)

    assert client.get(path).status_code == 404


def test_it_answers_404_for_a_colon_in_owner_when_disconnecting_on_the_dashboard(api):
    client, _, django_user, _ = api
    client.force_login(django_user)

    assert client.post("/dashboard/repositories/a:b/c/disconnect/").status_code == 404


def test_it_answers_404_for_a_colon_in_the_analytics_repo_parameter(api):
    client, _, django_user, _ = api
    client.force_login(django_user)

    assert client.get("/dashboard/analytics/", {"repo": "a:b/c"}).status_code == 404


@pytest.mark.parametrize("score", ["nan", "inf", "-inf", "NaN"])
def test_it_answers_400_for_a_cursor_that_decodes_to_a_non_finite_score(api, score):
    client, record, _, auth = api
    make_entry(record)

    response = client.get("/api/entries/", {"cursor": _cursor(f"{score}|ent_x")}, **auth)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "cursor" in response.json()["errors"]


def test_it_shows_the_newest_drafts_for_a_non_finite_cursor_on_the_dashboard(api):
    client, record, django_user, _ = api
    make_entry(record, title="Still listed")
    client.force_login(django_user)

    response = client.get("/dashboard/drafts/", {"cursor": _cursor("nan|ent_x")})

    assert response.status_code == 200 and b"Still listed" in response.content


@pytest.mark.parametrize("dates", [
    {"start": "0001-01-01"},
    {"start": "0001-01-01", "end": "0001-01-02"},
    {"end": "9999-12-31"},
    {"start": "9999-12-31", "end": "9999-12-31"},
])
def test_it_answers_400_for_analytics_dates_out_of_range(api, dates):
    client, _, django_user, _ = api
    client.force_login(django_user)

    response = client.get("/dashboard/analytics/", {"repo": "octo-org/octo-repo", **dates})

    assert response.status_code == 400 and b"dates must be between" in response.content


def test_it_answers_400_json_for_json_nested_past_the_recursion_limit(api):
    client, record, _, auth = api
    entry = make_entry(record)

    response = client.patch(f"/api/entries/{entry.id}/", data="[" * 100_000 + "]" * 100_000,
                            content_type="application/json", **auth)

    assert response.status_code == 400 and response.json()["code"] == "malformed_request"


def test_it_answers_413_json_for_a_body_over_the_upload_limit(api):
    client, record, _, auth = api
    entry = make_entry(record)

    response = client.patch(f"/api/entries/{entry.id}/", data=json.dumps({"body": "x" * 3_000_000}),
                            content_type="application/json", **auth)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "payload_too_large"
