"""Readers' upvotes on the public roadmap: one per reader, atomic, rate-limited, no bots."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from roadmap import services
from roadmap.models import RoadmapItem, RoadmapUpvotes
from tests.factories import make_repo, make_roadmap_item, make_user

pytestmark = pytest.mark.django_db

REPO = "acme/api"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def item():
    owner = make_user()
    make_repo(owner, name=REPO)
    return make_roadmap_item(owner, repo_id=REPO, issue_id=12, title="Dark mode")


def vote(client, number=12, *, ip="203.0.113.7", agent=BROWSER, as_json=True, **extra):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    return client.post(f"/roadmap/{REPO}/{number}/upvote/", REMOTE_ADDR=ip, HTTP_USER_AGENT=agent, **headers, **extra)


@pytest.mark.slow
def test_it_counts_exactly_100_concurrent_upvotes_from_100_readers(item):
    def reader(n):
        return vote(Client(), ip=f"198.51.100.{n + 1}").json()

    with ThreadPoolExecutor(max_workers=25) as pool:
        replies = list(pool.map(reader, range(100)))

    assert all(reply["counted"] for reply in replies)
    assert RoadmapUpvotes(item.id).count() == 100 and len(RoadmapUpvotes(item.id).voters()) == 100
    assert sorted(reply["count"] for reply in replies) == list(range(1, 101))


def test_it_counts_one_reader_voting_20_times_once(client, item):
    replies = [vote(client).json() for _ in range(20)]

    assert [reply["counted"] for reply in replies] == [True] + [False] * 19
    assert {reply["count"] for reply in replies} == {1} and RoadmapUpvotes(item.id).count() == 1


def test_it_counts_a_no_js_form_vote_and_goes_back_to_the_card(client, item):
    response = vote(client, as_json=False)

    assert response.status_code == 303 and response["Location"] == f"/roadmap/{REPO}/?done=voted#item-12"
    assert "Thanks for your vote" in client.get(response["Location"]).content.decode()
    assert RoadmapUpvotes(item.id).count() == 1


def test_it_writes_the_counters_into_the_record_when_it_is_saved(client, item):
    vote(client)
    vote(client, ip="203.0.113.8")

    owned, = services.owned_items(user_id=item.userId, repo_id=REPO)
    services.item_update(user_id=item.userId, roadmap_id=item.id, status="in-progress")

    saved = RoadmapItem.get_by_id(item.id)
    assert owned.item.upvotes == 2 and "voterIds" not in owned.to_dict()
    assert saved.upvotes == 2 and saved.voterIds == sorted(RoadmapUpvotes(item.id).voters())


@pytest.mark.parametrize("agent", ["", "curl/8.4.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"])
def test_it_refuses_bots(client, item, agent):
    response = vote(client, agent=agent)

    assert response.status_code == 403 and response.json()["code"] == "bot"
    assert RoadmapUpvotes(item.id).count() == 0


def test_it_refuses_a_cross_site_vote(client, item):
    response = vote(client, HTTP_SEC_FETCH_SITE="cross-site")

    assert response.status_code == 403 and RoadmapUpvotes(item.id).count() == 0


def test_it_rate_limits_votes_per_ip(client, item, settings):
    settings.UPVOTE_RATE_LIMIT = 3

    answers = [vote(client, agent=f"{BROWSER} reader-{n}").status_code for n in range(4)]
    limited = vote(client, agent=f"{BROWSER} reader-5")

    assert answers == [200, 200, 200, 429] and int(limited["Retry-After"]) >= 1
    assert limited.json()["code"] == "rate_limited" and RoadmapUpvotes(item.id).count() == 3


def test_it_refuses_a_vote_for_a_hidden_or_unknown_item(client, item):
    services.item_update(user_id=item.userId, roadmap_id=item.id, hidden=True)

    assert vote(client).status_code == 404 and vote(client, number=99).status_code == 404
    assert vote(client, as_json=False).status_code == 404


def test_it_tells_a_reader_which_items_they_upvoted(client, item):
    make_roadmap_item(make_user(), repo_id=REPO, issue_id=13)  # an account that did not connect it: not public
    vote(client)

    mine = client.get(f"/roadmap/{REPO}/upvoted/", {"pr": [12, 13, 99]}, REMOTE_ADDR="203.0.113.7",
                      HTTP_USER_AGENT=BROWSER)
    someone_else = client.get(f"/roadmap/{REPO}/upvoted/", {"pr": [12]}, REMOTE_ADDR="203.0.113.9",
                              HTTP_USER_AGENT=BROWSER)

    assert mine.json() == {"upvoted": [12]} and someone_else.json() == {"upvoted": []}
    assert client.get(f"/roadmap/{REPO}/upvoted/", {"pr": "x"}).status_code == 400
