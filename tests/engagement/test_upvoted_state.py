"""After a reload a reader sees which entries they upvoted: a cookieless per-visitor check."""

import pytest

from tests.engagement.public_helpers import BASE, browser, connected, published

pytestmark = pytest.mark.django_db


def test_it_names_the_entries_this_reader_upvoted(redis_db):
    user = connected()
    published(user, pr_id=1)
    published(user, pr_id=2)
    reader = browser(REMOTE_ADDR="203.0.113.7")
    reader.post(f"{BASE}1/upvote/", HTTP_ACCEPT="application/json")

    mine = reader.get(f"{BASE}upvoted/?pr=1&pr=2")

    assert mine.status_code == 200 and mine.json() == {"upvoted": [1]}
    assert mine["Cache-Control"] == "private, no-store" and not mine.cookies


def test_another_reader_has_upvoted_nothing(redis_db):
    user = connected()
    published(user, pr_id=1)
    browser(REMOTE_ADDR="203.0.113.7").post(f"{BASE}1/upvote/", HTTP_ACCEPT="application/json")

    assert browser(REMOTE_ADDR="198.51.100.9").get(f"{BASE}upvoted/?pr=1").json() == {"upvoted": []}


@pytest.mark.parametrize("query, status", [("pr=abc", 400), ("pr=1", 404)])
def test_it_answers_bad_input_and_unknown_changelogs_in_the_contract_shape(redis_db, query, status):
    response = browser().get(f"/changelog/nobody/nothing/upvoted/?{query}")

    assert response.status_code == status and set(response.json()) >= {"code", "detail"}

