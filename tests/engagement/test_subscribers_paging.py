"""The owner's subscriber list a page at a time: by address with a cursor, a case-insensitive prefix
search, counts from the indexes (confirming moves an address from pending to confirmed, a failed
mail marks it failing), and a cost that does not grow with the subscribers."""

import pytest

from engagement import subscribers, views_subscribers
from engagement.delivery import digest_send
from tests.engagement.public_helpers import published
from tests.engagement.subscriber_helpers import REPO, connected, smtp_sink, subscribe_and_confirm  # noqa: F401
from tests.factories import make_repo, make_subscriber

pytestmark = pytest.mark.django_db

DIGEST_ONLY = {"digest": True, "majorReleases": False, "allUpdates": False}


@pytest.fixture
def owner(account):
    record, django_user, auth = account()
    make_repo(record, name=REPO)
    return record, django_user, auth


def listed(client, auth, **params):
    return client.get(f"/api/repos/{REPO}/subscribers/", params, **auth).json()


def test_it_pages_the_subscribers_by_address_with_a_cursor(owner, client):
    _, _, auth = owner
    for name in ("cyd", "Ada", "bob", "dee", "eve"):
        make_subscriber(repo_id=REPO, email=f"{name}@example.com", confirmed=name in ("bob", "eve"))

    pages, cursor = [], None
    while True:
        body = listed(client, auth, limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([row["email"] for row in body["subscribers"]])
        cursor = body["next"]
        if cursor is None:
            break

    assert pages == [["Ada@example.com", "bob@example.com"], ["cyd@example.com", "dee@example.com"],
                     ["eve@example.com"]]
    assert body["counts"] == {"total": 5, "confirmed": 2, "pending": 3, "failing": 0}
    assert [row["email"] for row in listed(client, auth, status="confirmed")["subscribers"]] == [
        "bob@example.com", "eve@example.com"]


def test_it_searches_addresses_by_prefix_whatever_their_case(owner, client):
    _, _, auth = owner
    for email in ("Ada.Lovelace@example.com", "adam@example.com", "bada@example.com"):
        make_subscriber(repo_id=REPO, email=email)

    found = listed(client, auth, q="ADA")
    narrowed = listed(client, auth, q="ada.", limit=1)

    assert [row["email"] for row in found["subscribers"]] == ["Ada.Lovelace@example.com", "adam@example.com"]
    assert [row["email"] for row in narrowed["subscribers"]] == ["Ada.Lovelace@example.com"]
    assert narrowed["next"] is None and found["counts"]["total"] == 3


@pytest.mark.parametrize("params", [{"cursor": "nonsense"}, {"limit": 0}, {"q": "a:b"}])
def test_it_refuses_a_cursor_limit_or_search_it_cannot_use(owner, client, params):
    _, _, auth = owner

    response = client.get(f"/api/repos/{REPO}/subscribers/", params, **auth)

    assert response.status_code == 400 and "code" in response.json()


def test_confirming_moves_an_address_from_pending_to_confirmed(client, smtp_sink):
    owner = connected()

    subscribe_and_confirm(client, smtp_sink, "ada@example.com")

    listing = subscribers.subscribers_list(user_id=owner.id, repo_id=REPO)
    assert listing["counts"] == {"total": 1, "confirmed": 1, "pending": 0, "failing": 0}
    assert [row["email"] for row in subscribers.subscribers_list(user_id=owner.id, repo_id=REPO,
                                                                 status="pending")["subscribers"]] == []


def test_a_refused_mail_lists_the_address_as_failing(smtp_sink):
    owner = connected()
    published(owner, pr_id=1, publishedAt="2026-03-12T10:00:00Z")
    for name in ("ada", "bad"):
        make_subscriber(repo_id=REPO, email=f"{name}@example.com", confirmed=True, preferences=DIGEST_ONLY)
    smtp_sink.refused.add("bad@example.com")

    digest_send(repo_id=REPO, period="2026-W12", cutoff="2026-03-16T08:05:00Z")

    failing = subscribers.subscribers_list(user_id=owner.id, repo_id=REPO, status="failing")
    assert [row["email"] for row in failing["subscribers"]] == ["bad@example.com"]
    assert failing["counts"]["failing"] == 1 and failing["subscribers"][0]["lastError"].startswith("550")


def test_the_csv_export_streams_every_row_in_batches(owner, client, monkeypatch):
    _, _, auth = owner
    monkeypatch.setattr(subscribers, "CSV_BATCH", 2)
    for number in range(5):
        make_subscriber(repo_id=REPO, email=f"reader{number}@example.com", confirmed=True)

    response = client.get(f"/api/repos/{REPO}/subscribers/", {"format": "csv"}, **auth)

    lines = response.getvalue().decode().splitlines()
    assert response.streaming and lines[0].startswith("email,confirmed")
    assert [line.split(",")[0] for line in lines[1:]] == [f"reader{number}@example.com" for number in range(5)]


def test_the_pages_cost_does_not_grow_with_the_subscribers(owner, client, record_commands, monkeypatch):
    _, django_user, auth = owner
    client.force_login(django_user)
    monkeypatch.setattr(views_subscribers, "PAGE_SIZE", 3)
    requests = [lambda: client.get(f"/api/repos/{REPO}/subscribers/", {"limit": 3}, **auth),
                lambda: client.get("/dashboard/subscribers/", {"repo": REPO})]

    def cost():
        counts = []
        for request in requests:
            with record_commands() as recorder:
                assert request().status_code == 200
            counts.append(len([c for c in recorder.commands if not c.upper().startswith("SELECT")]))
        return counts

    for number in range(5):
        make_subscriber(repo_id=REPO, email=f"early{number}@example.com", confirmed=number % 2 == 0)
    make_subscriber(repo_id=REPO, email="zz-late@example.com")
    few = cost()
    for number in range(200):
        make_subscriber(repo_id=REPO, email=f"late{number}@example.com", confirmed=number % 2 == 0)

    assert cost() == few
