""""Shipped in" on GitHub when an entry is published: one comment per fixed issue and on the PR, the
``released`` label on each issue, edited rather than posted again, never failing the publish, and
what happened shown on the entry's page (docs/github-loop.md). GitHub is faked with ``responses``
fed the fixtures' REST answers."""

import json
from collections import Counter
from urllib.parse import urlsplit

import pytest
import responses

from entries import github_loop
from entries.models import Entry
from github_sync.services import shipped
from github_sync.services.loop_settings import loop_settings_get
from tests.accounts_helpers import api
from tests.conftest import load_fixture
from tests.github_sync.loop_helpers import (PR, REPO, REPO_ID, comment, deliver_merged, no_spacing,  # noqa: F401
                                            owner, shipped_in, webhook_secret)

pytestmark = pytest.mark.django_db

COMMENT_IDS = {12: 1012, 13: 1013, PR: 1017}
ADDED_LABELS = load_fixture("github/rest/issues.add-labels.json")


@pytest.fixture
def drafted(client):
    """An owner with a GitHub token and the draft of a merged PR that fixes #12 and #13."""
    made = owner()
    with responses.RequestsMock() as github:
        deliver_merged(client, github, missing=())
    return made, Entry.get(made.record.id, REPO, PR)


def fake_first_post(github, label_exists=False):
    if label_exists:
        github.get(api(f"/repos/{REPO}/labels/released"), json=load_fixture("github/rest/issues.create-label.json"))
    else:
        github.get(api(f"/repos/{REPO}/labels/released"), json={"message": "Not Found"}, status=404)
        github.post(api(f"/repos/{REPO}/labels"), json=load_fixture("github/rest/issues.create-label.json"), status=201)
    for number, comment_id in COMMENT_IDS.items():
        github.post(api(f"/repos/{REPO}/issues/{number}/comments"), json=comment(comment_id), status=201)
    for number in (12, 13):
        github.post(api(f"/repos/{REPO}/issues/{number}/labels"), json=ADDED_LABELS)


def publish(client, made, entry):
    return client.post(f"/api/entries/{entry.id}/publish/", **made.headers)


def calls_of(github):
    return [(call.request.method, urlsplit(call.request.url).path.removeprefix("/api"),
             json.loads(call.request.body) if call.request.body else None) for call in github.calls]


def expected_body(entry, title=None):
    return (f"Shipped in {title or entry.title}: http://testserver/changelog/{REPO}/{PR}/\n\n"
            f"<!-- shiplog:shipped-in {entry.id} -->")


def test_publishing_posts_one_comment_and_one_label_per_fixed_issue_and_one_comment_on_the_pr(client, drafted):
    made, entry = drafted
    with responses.RequestsMock() as github:
        fake_first_post(github)
        answer = publish(client, made, entry)
        calls = calls_of(github)

    assert answer.status_code == 200 and answer.json()["status"] == "published"
    comments = Counter(path for method, path, _ in calls if path.endswith("/comments"))
    labels = Counter(path for method, path, _ in calls if path.startswith(f"/repos/{REPO}/issues/") and
                     path.endswith("/labels"))
    assert comments == {f"/repos/{REPO}/issues/{number}/comments": 1 for number in (12, 13, PR)}
    assert labels == {f"/repos/{REPO}/issues/{number}/labels": 1 for number in (12, 13)}
    assert {body["body"] for _, path, body in calls if path.endswith("/comments")} == {expected_body(entry)}
    assert [body for _, path, body in calls if path.endswith("/issues/12/labels")] == [{"labels": ["released"]}]
    assert ("POST", f"/repos/{REPO}/labels", {"name": "released", "color": shipped.LABEL_COLOR,
                                              "description": shipped.LABEL_DESCRIPTION}) in calls
    assert github_loop.shipped_get(entry.id)["state"] == "done"


def test_a_second_publish_edits_the_comments_instead_of_posting_again(client, drafted):
    made, entry = drafted
    with responses.RequestsMock() as github:
        fake_first_post(github, label_exists=True)
        publish(client, made, entry)
    with responses.RequestsMock():  # unpublishing leaves them alone; the title is edited as a draft
        assert client.post(f"/api/entries/{entry.id}/unpublish/", **made.headers).status_code == 200
        client.patch(f"/api/entries/{entry.id}/", {"title": "Emoji export works again"},
                     content_type="application/json", **made.headers)

    with responses.RequestsMock() as github:
        for comment_id in COMMENT_IDS.values():
            github.patch(api(f"/repos/{REPO}/issues/comments/{comment_id}"), json=comment(comment_id))
        publish(client, made, entry)
        calls = calls_of(github)

    assert [method for method, _, _ in calls] == ["PATCH"] * 3
    assert {body["body"] for _, _, body in calls} == {expected_body(entry, "Emoji export works again")}
    with responses.RequestsMock():  # published again unchanged: nothing to do
        client.post(f"/api/entries/{entry.id}/unpublish/", **made.headers)
        publish(client, made, entry)


def test_editing_a_published_title_edits_the_comments(client, drafted):
    made, entry = drafted
    with responses.RequestsMock() as github:
        fake_first_post(github)
        publish(client, made, entry)
    with responses.RequestsMock() as github:
        for comment_id in COMMENT_IDS.values():
            github.patch(api(f"/repos/{REPO}/issues/comments/{comment_id}"), json=comment(comment_id))
        client.patch(f"/api/entries/{entry.id}/", {"title": "Emoji everywhere"}, content_type="application/json",
                     **made.headers)

        assert len(github.calls) == 3


@pytest.mark.parametrize("status, says", [
    (403, "GitHub refused (403)"),
    (502, "GitHub answered 502"),
])
def test_a_github_failure_leaves_the_entry_published_and_says_why_on_its_page(client, drafted, status, says):
    made, entry = drafted
    with responses.RequestsMock() as github:
        github.get(api(f"/repos/{REPO}/labels/released"), json={"message": "Resource not accessible"}, status=status)
        answer = publish(client, made, entry)
    client.force_login(made.django_user)

    page = client.get(f"/dashboard/entries/{entry.id}/").content.decode()

    assert answer.status_code == 200 and Entry.get_by_id(entry.id).status == "published"
    assert github_loop.shipped_get(entry.id)["state"] == "failed"
    assert "Not posted." in page and says in page and "Post again" in page


def test_post_again_finds_a_comment_github_created_before_the_answer_was_lost(client, drafted):
    made, entry = drafted
    with responses.RequestsMock() as github:
        github.get(api(f"/repos/{REPO}/labels/released"), json=load_fixture("github/rest/issues.create-label.json"))
        github.post(api(f"/repos/{REPO}/issues/12/comments"), json={"message": "Server Error"}, status=502)
        publish(client, made, entry)
    client.force_login(made.django_user)

    with responses.RequestsMock() as github:
        github.get(api(f"/repos/{REPO}/issues/12/comments"), json=[comment(1012, expected_body(entry))])
        github.post(api(f"/repos/{REPO}/issues/12/labels"), json=ADDED_LABELS)
        for number in (13, PR):
            github.post(api(f"/repos/{REPO}/issues/{number}/comments"), json=comment(COMMENT_IDS[number]), status=201)
        github.post(api(f"/repos/{REPO}/issues/13/labels"), json=ADDED_LABELS)
        client.post(f"/dashboard/entries/{entry.id}/github/post-again/")
        posted = [path for method, path, _ in calls_of(github) if method == "POST" and path.endswith("/comments")]

    assert posted == [f"/repos/{REPO}/issues/13/comments", f"/repos/{REPO}/issues/{PR}/comments"]
    targets = github_loop.shipped_get(entry.id)["targets"]
    assert {number: target["commentId"] for number, target in targets.items()} == {"12": 1012, "13": 1013, "17": 1017}


def test_unpublishing_removes_them_only_when_the_owner_chose_so(client, drafted):
    made, entry = drafted
    shipped_in(made, remove_on_unpublish=True)
    with responses.RequestsMock() as github:
        fake_first_post(github)
        publish(client, made, entry)

    with responses.RequestsMock() as github:
        for comment_id in COMMENT_IDS.values():
            github.delete(api(f"/repos/{REPO}/issues/comments/{comment_id}"), status=204)
        for number in (12, 13):
            github.delete(api(f"/repos/{REPO}/issues/{number}/labels/released"), json=[])
        client.post(f"/api/entries/{entry.id}/unpublish/", **made.headers)

        assert len(github.calls) == 5
    assert github_loop.shipped_get(entry.id)["state"] == "removed"


def test_nothing_is_posted_when_the_repository_turned_it_off(client, drafted):
    made, entry = drafted
    shipped_in(made, shipped_in=False)
    client.force_login(made.django_user)
    with responses.RequestsMock():
        publish(client, made, entry)

    assert "comments are off for this repository" in client.get(f"/dashboard/entries/{entry.id}/").content.decode()


def published_quietly(client, made, entry):
    """Published with "Shipped in" off, then switched on: the test runs the job itself."""
    shipped_in(made, shipped_in=False)
    publish(client, made, entry)
    shipped_in(made, shipped_in=True)


def test_writes_are_spaced_a_second_apart_per_token(client, drafted, monkeypatch):
    made, entry = drafted
    published_quietly(client, made, entry)
    monkeypatch.setattr(shipped, "WRITE_SPACING", 1.0)
    waits = []
    with responses.RequestsMock() as github:
        fake_first_post(github, label_exists=True)
        shipped.shipped_sync(entry_id=entry.id, sleep=waits.append)

    assert len(waits) == 5 and all(later - earlier > 0.9 for earlier, later in zip(waits, waits[1:]))
    monkeypatch.setattr(shipped, "MAX_WAIT_IN_TASK", 1)
    with pytest.raises(shipped.RetryLater):  # the next free slot is seconds away: retry, do not sleep
        shipped._slot_wait(made.record.id)


def test_a_spent_rate_limit_is_retried_later_and_holds_the_tokens_other_writes(client, drafted):
    made, entry = drafted
    published_quietly(client, made, entry)
    with responses.RequestsMock() as github:
        github.get(api(f"/repos/{REPO}/labels/released"), json=load_fixture("github/rest/issues.create-label.json"))
        github.post(api(f"/repos/{REPO}/issues/12/comments"), status=403, headers={"Retry-After": "120"},
                    json={"message": "You have exceeded a secondary rate limit."})
        with pytest.raises(shipped.RetryLater) as later:
            shipped.shipped_sync(entry_id=entry.id, final=False)

    assert later.value.seconds == 120
    assert github_loop.shipped_get(entry.id)["state"] == "retrying"
    with pytest.raises(shipped.RetryLater):
        shipped._slot_wait(made.record.id)


def test_the_repository_settings_page_keeps_the_shipped_in_settings(client):
    made = owner()
    client.force_login(made.django_user)
    settings_page = f"/dashboard/repositories/{REPO}/rules/"
    assert 'name="shipped_in" checked' in client.get(settings_page).content.decode()  # on by default

    saved = client.post(f"/dashboard/repositories/{REPO}/shipped-in/", {"released_label": " shipped  in v2 ",
                                                                       "remove_on_unpublish": "on"})
    refused = client.post(f"/dashboard/repositories/{REPO}/shipped-in/",
                          {"shipped_in": "on", "released_label": "x" * 51})

    assert saved.status_code == refused.status_code == 302 and saved["Location"].endswith("/rules/#github")
    conf = loop_settings_get(user_id=made.record.id, github_repo_id=REPO_ID)
    assert (conf.shipped_in, conf.released_label, conf.remove_on_unpublish) == (False, "shipped in v2", True)
    assert "at most 50 printable characters" in client.get(settings_page).content.decode()
