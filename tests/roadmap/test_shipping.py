"""Auto-ship: a merged PR that says "Fixes #N" completes item N and links its entry; once
that entry is published the public roadmap says "Shipped in …" and the voters who confirmed an
email hear once."""

import re

import pytest
from django.core import mail

from entries.models import Entry
from entries.publishing import entry_publish
from roadmap import services
from roadmap.models import RoadmapItem
from roadmap.tasks import shipped_notify_task
from tests.factories import make_repo, make_roadmap_item, make_user
from tests.webhook_helpers import fixture_json

pytestmark = pytest.mark.django_db

REPO, REPO_ID = "sish8075/statistics-source", 436929436  # the repository of the stored merged-PR payload
BROWSER = "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15"


@pytest.fixture
def owner():
    user = make_user()
    make_repo(user, name=REPO, githubRepoId=REPO_ID)
    return user


def merge(send, body):
    payload = fixture_json("pull_request.closed.merged")
    payload["pull_request"]["body"] = body
    return send(payload, event="pull_request")


def test_it_ships_the_item_a_merged_pr_fixes_and_links_its_entry(owner, send):
    item = make_roadmap_item(owner, repo_id=REPO, issue_id=5, title="Catalog info")

    response = merge(send, "Fixing the catalog info file.\n\nFixes #5")

    entry = Entry.get(owner.id, REPO, 17)
    shipped = RoadmapItem.get_by_id(item.id)
    assert response.status_code == 200 and entry.status == "draft"
    assert (shipped.status, shipped.linkedEntryId) == ("completed", entry.id)
    assert services.public_roadmap(repo_id=REPO)["columns"]["completed"][0]["shippedIn"] is None


def test_it_says_shipped_in_the_entry_once_it_is_published(owner, send, client):
    make_roadmap_item(owner, repo_id=REPO, issue_id=5, title="Catalog info")
    merge(send, "closes SISH8075/statistics-source#5")
    entry = Entry.get(owner.id, REPO, 17)

    entry_publish(user_id=owner.id, entry_id=entry.id)

    page = client.get(f"/roadmap/{REPO}/").content.decode()
    assert f'Shipped in <a href="/changelog/{REPO}/17/">feature/catalog-info</a>' in page


def test_it_leaves_issues_of_other_repositories_and_mere_mentions_alone(owner, send):
    items = [make_roadmap_item(owner, repo_id=REPO, issue_id=number) for number in (6, 7)]

    merge(send, "Fixes someone/else#6, see #7")

    assert [RoadmapItem.get_by_id(item.id).status for item in items] == ["planned", "planned"]


def confirm_link(message):
    return re.search(r"http://testserver(/roadmap-alerts/confirm/[^/\s]+/)", message.body).group(1)


def test_it_tells_each_confirmed_voter_once_when_the_item_ships(owner, send, client):
    item = make_roadmap_item(owner, repo_id=REPO, issue_id=5, title="Catalog info")
    for n, email in enumerate(("ada@example.com", "bob@example.com")):
        client.post(f"/roadmap/{REPO}/5/upvote/", {"email": email}, REMOTE_ADDR=f"192.0.2.{n + 1}",
                    HTTP_USER_AGENT=BROWSER)
    confirmations = list(mail.outbox)
    client.get(confirm_link(confirmations[0]))  # a link scanner's GET confirms nothing
    client.post(confirm_link(confirmations[0]))
    mail.outbox.clear()
    merge(send, "Resolves #5")

    entry_publish(user_id=owner.id, entry_id=Entry.get(owner.id, REPO, 17).id)
    shipped_notify_task.delay(item.id)
    shipped_notify_task.delay(item.id)

    assert [m.to for m in confirmations] == [["ada@example.com"], ["bob@example.com"]]
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert mail.outbox[0].subject == "Shipped: Catalog info"
    assert f"http://testserver/changelog/{REPO}/17/" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_it_mails_nobody_while_the_linked_entry_is_a_draft(owner, send, client):
    item = make_roadmap_item(owner, repo_id=REPO, issue_id=5)
    client.post(f"/roadmap/{REPO}/5/upvote/", {"email": "ada@example.com"}, HTTP_USER_AGENT=BROWSER)
    client.post(confirm_link(mail.outbox[0]))
    mail.outbox.clear()
    merge(send, "Fixes #5")

    assert shipped_notify_task.delay(item.id).get() == 0 and mail.outbox == []


def test_a_confirm_link_works_once(owner, client):
    make_roadmap_item(owner, repo_id=REPO, issue_id=5)
    client.post(f"/roadmap/{REPO}/5/upvote/", {"email": "ada@example.com"}, HTTP_USER_AGENT=BROWSER)
    link = confirm_link(mail.outbox[0])

    first, second = client.post(link), client.post(link)

    assert first.status_code == 200 and "hear when it ships" in first.content.decode()
    assert second.status_code == 410


def test_it_refuses_a_bad_email_without_counting_the_vote(owner, client):
    make_roadmap_item(owner, repo_id=REPO, issue_id=5)

    response = client.post(f"/roadmap/{REPO}/5/upvote/", {"email": "not an address"}, HTTP_USER_AGENT=BROWSER,
                           HTTP_ACCEPT="application/json")

    assert response.status_code == 400 and response.json()["code"] == "invalid_email"
    assert services.owned_items(user_id=owner.id, repo_id=REPO)[0].item.upvotes == 0
