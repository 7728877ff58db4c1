"""The public roadmap page and the owner's dashboard Roadmap page."""

import pytest

from engagement import services as engagement
from roadmap import services
from roadmap.models import RoadmapUpvotes
from tests.factories import make_entry, make_repo, make_roadmap_item, make_user

pytestmark = pytest.mark.django_db

REPO = "acme/api"


@pytest.fixture
def owner():
    user = make_user()
    make_repo(user, name=REPO)
    return user


def test_it_shows_three_columns_sorted_by_votes_in_the_changelogs_branding(client, owner):
    engagement.branding_update(user_id=owner.id, repo_id=REPO, name="Acme API", accent_color="#0f766e")
    popular = make_roadmap_item(owner, repo_id=REPO, issue_id=2, title="SAML single sign-on")
    make_roadmap_item(owner, repo_id=REPO, issue_id=1, title="Audit log", body="Who did **what**, when.")
    make_roadmap_item(owner, repo_id=REPO, issue_id=3, title="Webhooks v2", status="in-progress")
    make_roadmap_item(owner, repo_id=REPO, issue_id=4, title="Dark mode", status="completed")
    RoadmapUpvotes(popular.id).upvote("reader")

    page = client.get(f"/roadmap/{REPO}/").content.decode()

    assert page.index("Planned") < page.index("In progress") < page.index("Shipped")
    order = [page.index(title) for title in ("SAML single sign-on", "Audit log", "Webhooks v2", "Dark mode")]
    assert order == sorted(order)
    assert "Acme API roadmap" in page and "--accent:#0f766e" in page
    assert "Who did what, when." in page and "<strong>" not in page
    assert f'href="/changelog/{REPO}/"' in page and f'action="/roadmap/{REPO}/2/upvote/"' in page


def test_it_sanitises_what_issue_authors_wrote(client, owner):
    make_roadmap_item(owner, repo_id=REPO, issue_id=1, title="<script>alert(1)</script>",
                      body="<img src=x onerror=alert(2)> hi", labels=["<b>x</b>"],
                      githubIssueUrl="javascript:alert(3)")

    page = client.get(f"/roadmap/{REPO}/").content.decode()

    assert "<script>alert" not in page and "onerror" not in page and "<b>x</b>" not in page
    assert "javascript:alert" not in page and "&lt;script&gt;" in page


def test_it_leaves_hidden_and_off_roadmap_items_out(client, owner):
    hidden = make_roadmap_item(owner, repo_id=REPO, issue_id=1, title="Secret plan")
    services.item_update(user_id=owner.id, roadmap_id=hidden.id, hidden=True)

    page = client.get(f"/roadmap/{REPO}/").content.decode()

    assert "Secret plan" not in page and "Nothing planned yet." in page


def test_it_answers_a_conditional_get_with_304_until_a_vote_changes_the_page(client, owner):
    item = make_roadmap_item(owner, repo_id=REPO, issue_id=1)
    first = client.get(f"/roadmap/{REPO}/")

    unchanged = client.get(f"/roadmap/{REPO}/", HTTP_IF_NONE_MATCH=first["ETag"])
    RoadmapUpvotes(item.id).upvote("reader")
    changed = client.get(f"/roadmap/{REPO}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304 and changed.status_code == 200


def test_it_sets_no_cookie_even_for_a_signed_in_reader(signed_in):
    client, user = signed_in
    make_repo(user, name=REPO)
    item = make_roadmap_item(user, repo_id=REPO, issue_id=1, title="Audit log")
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

    responses = [client.get(f"/roadmap/{REPO}/"),
                 client.post(f"/roadmap/{REPO}/{item.issueId}/upvote/", HTTP_ACCEPT="application/json")]

    assert [response.status_code for response in responses] == [200, 200]
    assert [response.cookies for response in responses] == [{}, {}]
    assert not any("Cookie" in response.get("Vary", "") for response in responses)


def test_it_is_not_found_for_a_repository_nobody_connected(client):
    assert client.get("/roadmap/nobody/here/").status_code == 404


def test_the_public_changelog_links_to_the_roadmap(client, owner):
    make_entry(owner, repo_id=REPO, status="published", publishedAt="2026-03-10T10:00:00Z")

    assert f'href="/roadmap/{REPO}/"' in client.get(f"/changelog/{REPO}/").content.decode()


def test_several_owners_share_the_first_connecting_accounts_public_roadmap(client, owner):
    second = make_user()
    make_repo(second, name=REPO, connectedAt="2026-03-20T12:00:00Z")
    make_roadmap_item(owner, repo_id=REPO, issue_id=1, title="From the first")
    make_roadmap_item(second, repo_id=REPO, issue_id=1, title="From the second")

    page = client.get(f"/roadmap/{REPO}/").content.decode()

    assert "From the first" in page and "From the second" not in page


def test_the_dashboard_page_shows_the_items_by_column_with_counts(signed_in):
    client, record = signed_in
    make_repo(record, name=REPO)
    item = make_roadmap_item(record, repo_id=REPO, issue_id=7, title="Bulk export", status="in-progress")
    RoadmapUpvotes(item.id).upvote("reader")

    page = client.get("/dashboard/roadmap/").content.decode()

    assert "Coming soon" not in page and "Bulk export" in page and "Sync now" in page
    assert 'data-column-count="in-progress">1<' in page and "▲ 1" in page
    assert f'href="/roadmap/{REPO}/"' in page


def test_the_dashboard_forms_move_and_hide_an_item_without_javascript(signed_in):
    client, record = signed_in
    make_repo(record, name=REPO)
    item = make_roadmap_item(record, repo_id=REPO, issue_id=7)

    moved = client.post(f"/dashboard/roadmap/items/{item.id}/", {"status": "completed"})
    client.post(f"/dashboard/roadmap/items/{item.id}/", {"hidden": "1"})

    owned, = services.owned_items(user_id=record.id, repo_id=REPO)
    assert moved.status_code == 302 and moved["Location"] == f"/dashboard/roadmap/?repo=acme%2Fapi#item-{item.id}"
    assert owned.item.status == "completed" and owned.hidden


def test_the_dashboard_saves_the_roadmap_rules(signed_in):
    client, record = signed_in
    repo = make_repo(record, name=REPO)

    client.post("/dashboard/roadmap/settings/", {"repo": REPO, "labelFilter": "Roadmap",
                                                 "inProgressLabels": "wip, doing", "writeBack": "comment"})

    rules = services.settings_get(user_id=record.id, github_repo_id=repo.githubRepoId)
    assert (rules.label_filter, rules.in_progress_labels, rules.write_back) == ("roadmap", ("wip", "doing"), "comment")


def test_the_dashboard_refuses_another_owners_repository_and_items(signed_in):
    client, _ = signed_in
    other = make_user()
    make_repo(other, name=REPO)
    item = make_roadmap_item(other, repo_id=REPO, issue_id=1)

    assert client.get("/dashboard/roadmap/", {"repo": REPO}).status_code == 404
    assert client.post(f"/dashboard/roadmap/items/{item.id}/", {"hidden": "1"}).status_code == 404
    assert client.post("/dashboard/roadmap/sync/", {"repo": REPO}).status_code == 404
    assert client.post("/dashboard/roadmap/settings/", {"repo": REPO, "writeBack": "label"}).status_code == 404


def test_no_roadmap_request_scans_the_keyspace(client, owner, record_commands):
    make_roadmap_item(owner, repo_id=REPO, issue_id=1)

    with record_commands() as recorder:
        client.get(f"/roadmap/{REPO}/")
        client.post(f"/roadmap/{REPO}/1/upvote/", HTTP_USER_AGENT="Mozilla/5.0 Firefox/128.0",
                    HTTP_ACCEPT="application/json")
        client.get(f"/roadmap/{REPO}/upvoted/", {"pr": 1}, HTTP_USER_AGENT="Mozilla/5.0 Firefox/128.0")

    assert recorder.commands and not recorder.names() & {"SCAN", "KEYS"}
