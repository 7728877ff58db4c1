"""GET /widget.js (the short-lived loader) and /widget/v/{version}.js (the widget, cached for a year)."""

import gzip
import re

import pytest

from tests.widget.conftest import reader
from widget.public import widget_script

MAX_GZIPPED = 8 * 1024


def test_it_serves_a_loader_that_points_at_the_current_release(redis_db):
    response = reader().get("/widget.js")

    version = widget_script()[0]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=300"
    assert f"/widget/v/{version}.js" in response.content.decode()
    assert not response.cookies


def test_it_serves_the_release_for_a_year_under_its_content_hash(redis_db):
    version = widget_script()[0]

    response = reader(HTTP_ACCEPT_ENCODING="gzip, br").get(f"/widget/v/{version}.js")

    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Encoding"] == "gzip" and response["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.content) == widget_script()[1]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_it_serves_the_current_release_briefly_to_an_outdated_loader(redis_db):
    response = reader().get("/widget/v/0123abcd.js")

    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=300"
    assert response.content == widget_script()[1]


def test_it_keeps_the_widget_under_8_kb_gzipped():
    assert len(widget_script()[2]) <= MAX_GZIPPED


def test_it_has_no_dependency_and_sets_no_cookie():
    source = widget_script()[1].decode()

    assert "document.cookie" not in source and not re.search(r"\bimport\b|\brequire\(", source)
    assert 'credentials: "omit"' in source and "attachShadow" in source


@pytest.mark.parametrize("path", ["/widget.js", f"/widget/v/{widget_script()[0]}.js"])
def test_it_refuses_writes_to_the_scripts(redis_db, path):
    assert reader().post(path).status_code == 405
