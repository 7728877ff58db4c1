"""The widget's JSON through the front door (changelog_site.front): a cache hit answered without
Django, with the CORS and caching headers Django gave it; any change handed back to Django."""

import json

import pytest

from tests.widget.conftest import BROWSER, REPO, publish
from tests.wsgi_client import WSGIClient
from widget import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_front_routes")]


@pytest.fixture
def reader():
    return WSGIClient(HTTP_USER_AGENT=BROWSER, HTTP_ORIGIN="https://customer.example")


def test_it_answers_a_cache_hit_without_django(site, reader):
    first = reader.get(site.data_url)

    second = reader.get(site.data_url)

    assert first.by_django and not second.by_django
    assert second.body == first.body and second["etag"] == first["etag"]
    assert json.loads(second.body)["id"] == site.widget.id
    for name in ("access-control-allow-origin", "cross-origin-resource-policy", "cache-control", "content-type"):
        assert second[name] == first[name]


def test_it_answers_304_to_its_etag_without_django(site, reader):
    etag = reader.get(site.data_url)["etag"]

    answer = reader.get(site.data_url, HTTP_IF_NONE_MATCH=etag)

    assert answer.status == 304 and not answer.by_django
    assert answer["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("change", ["publish", "config"])
def test_it_hands_a_changed_widget_to_django(site, reader, change):
    before = reader.get(site.data_url)
    if change == "publish":
        publish(site.user, 4, title="Brand new")
    else:
        services.widget_save(user_id=site.user.id, repo_id=REPO, changes={"position": "top-left"})

    after = reader.get(site.data_url)

    assert after.by_django and after.status == 200 and after["etag"] != before["etag"]
    assert not reader.get(site.data_url).by_django


def test_it_stops_answering_a_disabled_widget_at_once(site, reader):
    reader.get(site.data_url)

    services.widget_set_enabled(user_id=site.user.id, repo_id=REPO, enabled=False)
    answer = reader.get(site.data_url)

    assert answer.by_django and answer.status == 410


def test_it_stops_answering_a_regenerated_id_at_once(site, reader):
    reader.get(site.data_url)

    services.widget_regenerate(user_id=site.user.id, repo_id=REPO)

    assert reader.get(site.data_url).status == 404
