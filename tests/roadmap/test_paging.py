"""The roadmap a page at a time: the column indexes by votes, cursors on the pages and the API, and
a request whose cost does not grow with the items of a repository."""

import pytest
from django.core.management import call_command

from changelog_site.kv import keys
from roadmap import paging, services
from roadmap.models import COLUMNS, STATUSES, RoadmapUpvotes, vote_score
from tests.factories import make_repo, make_roadmap_item

pytestmark = pytest.mark.django_db

REPO = "acme/api"


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)


@pytest.fixture
def owned(account):
    record, django_user, auth = account()
    make_repo(record, name=REPO)
    return record, django_user, auth


def issues(cards):
    return [card["issueId"] for card in cards]


def test_it_ranks_a_column_by_votes_then_issue_number_as_votes_arrive(owned, redis_db):
    record, _, _ = owned
    items = {number: make_roadmap_item(record, repo_id=REPO, issue_id=number) for number in (1, 2, 3)}

    RoadmapUpvotes(items[3].id).upvote("reader-1")
    RoadmapUpvotes(items[3].id).upvote("reader-2")
    RoadmapUpvotes(items[2].id).upvote("reader-1")

    ranked = redis_db.zrevrange(keys.idx_roadmap_public(record.id, REPO, "planned"), 0, -1, withscores=True)
    assert ranked == [(items[3].id, vote_score(2, 3)), (items[2].id, vote_score(1, 2)), (items[1].id, vote_score(0, 1))]
    assert issues(services.public_roadmap(repo_id=REPO)["columns"]["planned"]) == [3, 2, 1]


def test_the_public_page_shows_the_most_voted_of_each_column_and_pages_the_rest(owned, client, small_pages):
    record, _, _ = owned
    for number in range(1, 6):
        make_roadmap_item(record, repo_id=REPO, issue_id=number)
    make_roadmap_item(record, repo_id=REPO, issue_id=9, status="completed")

    first = services.public_roadmap(repo_id=REPO)
    second = services.public_roadmap(repo_id=REPO, cursors={"planned": first["more"]["planned"]})
    third = services.public_roadmap(repo_id=REPO, cursors={"planned": second["more"]["planned"]})
    page = client.get(f"/roadmap/{REPO}/").content.decode()
    more = client.get(f"/roadmap/{REPO}/", {"status": "planned", "cursor": first["more"]["planned"]}).content.decode()

    assert [issues(p["columns"]["planned"]) for p in (first, second, third)] == [[1, 2], [3, 4], [5]]
    assert third["more"]["planned"] is None and first["more"]["completed"] is None
    assert first["counts"] == {"planned": 5, "in-progress": 0, "completed": 1} and first["total"] == 6
    assert "Show more" in page and '<span class="column-count">5</span>' in page
    assert "Support SSO #3" in more and "Support SSO #1" not in more and "Back to the most voted" in more


def test_a_hidden_or_off_roadmap_item_leaves_the_public_columns_but_stays_on_the_board(owned):
    record, _, _ = owned
    hidden = make_roadmap_item(record, repo_id=REPO, issue_id=1)
    make_roadmap_item(record, repo_id=REPO, issue_id=2)
    services.item_update(user_id=record.id, roadmap_id=hidden.id, hidden=True)

    board = services.owned_columns(user_id=record.id, repo_id=REPO)

    assert issues(services.public_roadmap(repo_id=REPO)["columns"]["planned"]) == [2]
    assert [o.item.issueId for o in board["planned"]["items"]] == [1, 2] and board["planned"]["total"] == 2
    assert board["planned"]["items"][0].hidden and board["off"]["total"] == 0


def test_the_dashboard_pages_a_column_with_show_more(owned, client, small_pages):
    record, django_user, _ = owned
    client.force_login(django_user)
    for number in range(1, 4):
        make_roadmap_item(record, repo_id=REPO, issue_id=number, status="in-progress")
    cursor = services.owned_columns(user_id=record.id, repo_id=REPO)["in-progress"]["next"]

    page = client.get("/dashboard/roadmap/").content.decode()
    more = client.get("/dashboard/roadmap/", {"repo": REPO, "status": "in-progress", "cursor": cursor})
    broken = client.get("/dashboard/roadmap/", {"repo": REPO, "status": "in-progress", "cursor": "nonsense"})

    assert 'data-column-count="in-progress">3<' in page and "Show more" in page
    assert "Support SSO #3" in more.content.decode() and "Support SSO #1" not in more.content.decode()
    assert broken.status_code == 400


def test_the_api_pages_by_issue_number_across_repositories(owned, client):
    record, _, auth = owned
    make_repo(record, name="acme/web", githubRepoId=99)
    for number in (1, 2, 3):
        make_roadmap_item(record, repo_id=REPO, issue_id=number)
    make_roadmap_item(record, repo_id="acme/web", issue_id=7)

    seen, cursor = [], None
    while True:
        body = client.get("/api/roadmap/", {"limit": 3, **({"cursor": cursor} if cursor else {})}, **auth).json()
        seen.append([(item["repoId"], item["issueId"]) for item in body["results"]])
        cursor = body["next"]
        if cursor is None:
            break
    one_repo = client.get("/api/roadmap/", {"repo": REPO, "limit": 2}, **auth).json()

    assert seen == [[(REPO, 1), (REPO, 2), (REPO, 3)], [("acme/web", 7)]]
    assert [item["issueId"] for item in one_repo["results"]] == [1, 2] and one_repo["next"]


@pytest.mark.parametrize("params", [{"cursor": "nonsense"}, {"limit": 0}, {"limit": paging.PAGE_MAX + 1}])
def test_the_api_refuses_a_cursor_or_limit_it_did_not_offer(owned, client, params):
    _, _, auth = owned
    make_roadmap_item(owned[0], repo_id=REPO, issue_id=1)

    response = client.get("/api/roadmap/", {"repo": REPO, **params}, **auth)

    assert response.status_code == 400 and "code" in response.json()


def count_commands(record_commands, request):
    """The commands one request sends, but a new connection's SELECT."""
    with record_commands() as recorder:
        assert request().status_code == 200
    return len([command for command in recorder.commands if not command.upper().startswith("SELECT")])


@pytest.mark.parametrize("page", ["public", "dashboard", "api"])
def test_a_pages_cost_does_not_grow_with_the_items(owned, client, record_commands, small_pages, page):
    record, django_user, auth = owned
    client.force_login(django_user)
    requests = {"public": lambda: client.get(f"/roadmap/{REPO}/"),
                "dashboard": lambda: client.get("/dashboard/roadmap/"),
                "api": lambda: client.get("/api/roadmap/", {"repo": REPO, "limit": 2}, **auth)}
    for number in range(1, 10):  # every column holds more than a page
        make_roadmap_item(record, repo_id=REPO, issue_id=number, status=STATUSES[number % 3])
    few = count_commands(record_commands, requests[page])
    for number in range(10, 60):
        make_roadmap_item(record, repo_id=REPO, issue_id=number, status=STATUSES[number % 3])

    assert count_commands(record_commands, requests[page]) == few


def test_kv_reindex_rebuilds_the_column_indexes_with_hidden_off_and_voted_items(owned, redis_db):
    record, _, _ = owned
    voted = make_roadmap_item(record, repo_id=REPO, issue_id=1)
    hidden = make_roadmap_item(record, repo_id=REPO, issue_id=2, status="in-progress")
    off = make_roadmap_item(record, repo_id=REPO, issue_id=3)
    RoadmapUpvotes(voted.id).upvote("reader-1")
    services.item_update(user_id=record.id, roadmap_id=hidden.id, hidden=True)
    redis_db.hset(keys.meta_roadmap_item(off.id), "off", "not_planned")
    off.save()  # a save places the item as its meta hash says
    index_keys = [keys.idx_roadmap_column(record.id, REPO, column) for column in COLUMNS] + [
        keys.idx_roadmap_public(record.id, REPO, status) for status in STATUSES]
    before = {key: redis_db.zrange(key, 0, -1, withscores=True) for key in index_keys}
    redis_db.delete(*index_keys)

    call_command("kv_reindex")

    assert {key: redis_db.zrange(key, 0, -1, withscores=True) for key in index_keys} == before
    assert before[keys.idx_roadmap_column(record.id, REPO, "off")] == [(off.id, vote_score(0, 3))]
    assert before[keys.idx_roadmap_public(record.id, REPO, "in-progress")] == []
