"""The changelists' search box: an email, a user id, a repository or an id is found through an
index; other text is looked for in the rows' searchable fields."""

import pytest

from tests.admin.test_changelists import result_rows
from tests.admin.conftest import ALICE, BOB, BOB_ENTRY, DRAFT, ENTRY, OTHER_REPO, PENDING, REPO, ROADMAP, SUBSCRIBER

pytestmark = pytest.mark.django_db


def search(client, url, term):
    """The result rows' HTML (not the page's, which repeats the term in the search box)."""
    response = client.get(url, {"q": term})
    assert response.status_code == 200
    return "".join(result_rows(response)) + f" {response.context['cl'].result_count} results"


def test_it_finds_a_user_by_email(client, keyspace, staff):
    page = search(client, "/admin/billing/user/", "BOB@example.com")

    assert BOB in page and ALICE not in page


def test_it_finds_a_user_by_user_id_and_by_part_of_an_email(client, keyspace, staff):
    assert ALICE in search(client, "/admin/billing/user/", ALICE) and BOB not in search(client, "/admin/billing/user/",
                                                                                         ALICE)
    page = search(client, "/admin/billing/user/", "alice@")
    assert ALICE in page and BOB not in page


def test_it_finds_entries_by_user_repository_id_and_title(client, keyspace, staff):
    by_user = search(client, "/admin/entries/entry/", BOB)
    by_repo = search(client, "/admin/entries/entry/", REPO)
    by_id = search(client, "/admin/entries/entry/", ENTRY)
    by_title = search(client, "/admin/entries/entry/", "login loop")

    assert BOB_ENTRY in by_user and ENTRY not in by_user
    assert ENTRY in by_repo and DRAFT in by_repo and BOB_ENTRY not in by_repo
    assert ENTRY in by_id and DRAFT not in by_id
    assert BOB_ENTRY in by_title and ENTRY not in by_title


def test_it_finds_the_records_of_a_users_email_in_other_collections(client, keyspace, staff):
    page = search(client, "/admin/repos/repo/", "alice@example.com")

    assert REPO in page and OTHER_REPO not in page


def test_it_finds_a_subscriber_by_address_and_by_repository(client, keyspace, staff):
    by_address = search(client, "/admin/engagement/subscriber/", SUBSCRIBER)
    by_repo = search(client, "/admin/engagement/subscriber/", REPO)

    assert SUBSCRIBER in by_address and PENDING not in by_address
    assert SUBSCRIBER in by_repo and PENDING in by_repo
    assert "0 results" in search(client, "/admin/engagement/subscriber/", OTHER_REPO)


def test_it_finds_what_hangs_off_an_entry_by_its_id(client, keyspace, staff):
    assert "Dark mode is here." in search(client, "/admin/entries/socialpost/", ENTRY)
    assert "31" in search(client, "/admin/engagement/pageviews/", ENTRY)
    assert "0 results" in search(client, "/admin/entries/socialpost/", BOB_ENTRY)


def test_it_finds_a_roadmap_item_by_id_and_title(client, keyspace, staff):
    assert "Single sign-on" in search(client, "/admin/roadmap/roadmapitem/", ROADMAP)
    assert "Single sign-on" in search(client, "/admin/roadmap/roadmapitem/", "sign-on")
    assert "0 results" in search(client, "/admin/roadmap/roadmapitem/", "kubernetes")


def test_a_term_shaped_like_a_key_finds_nothing_and_breaks_nothing(client, keyspace, staff):
    page = search(client, "/admin/entries/entry/", f"entry:{ALICE}:{REPO}:42")

    assert "0 results" in page
