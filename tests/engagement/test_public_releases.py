"""Release grouping of the public changelog: `release` webhooks (through the real, signed view) store
a repository's releases; the page groups entries under the release they shipped in."""

import copy
import json
import re
from datetime import datetime, timezone

import pytest

from accounts.lifecycle import account_delete
from tests.engagement.public_helpers import BASE, REPO, browser, published
from tests.factories import make_repo, make_user
from tests.webhook_helpers import SECRET, deliver, fixture_bytes, fixture_json

pytestmark = pytest.mark.django_db

GITHUB_ID = 4242
RELEASES, RELEASE_DATA = f"meta:releases:{REPO}", f"meta:release-data:{REPO}"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def owner(name=REPO, github_id=GITHUB_ID):
    user = make_user()
    make_repo(user, name=name, githubRepoId=github_id)
    return user


def release_payload(release_id, tag, published_at, *, action="published", name=None, repo=REPO, github_id=GITHUB_ID,
                    **release_fields):
    """The real `release.published` payload, retargeted at another repository and release."""
    payload = copy.deepcopy(fixture_json("release.published"))
    payload["action"] = action
    payload["repository"].update(id=github_id, full_name=repo, name=repo.split("/")[1])
    payload["release"].update(id=release_id, tag_name=tag, name=name if name is not None else "",
                              published_at=published_at, html_url=f"https://github.com/{repo}/releases/tag/{tag}",
                              **release_fields)
    return payload


def epoch(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()


def sections(html):
    """[(heading, [entry titles])] of the page, in order."""
    found = []
    for block in re.findall(r'<section class="month[^"]*"[^>]*>(.*?)</section>', html, re.S):
        heading = re.search(r'<h2 class="(?:release-name|month-label)">(.*?)</h2>', block, re.S).group(1)
        titles = re.findall(r'<h2 class="entry-title"><a [^>]*>(.*?)</a></h2>', block, re.S)
        found.append((re.sub(r"<[^>]+>", "", heading).strip(), titles))
    return found


def test_it_stores_a_real_release_delivery_and_acknowledges_its_redelivery(client, redis_db):
    user = make_user()
    make_repo(user, name="Codertocat/Hello-World", githubRepoId=186853002)
    version = redis_db.get("cache:changelog-version:Codertocat/Hello-World")

    first = deliver(client, "release", fixture_bytes("release.published"), delivery="rel-1")

    assert first.status_code == 200
    assert first.json() == {"status": "processed", "release": {"id": 17372790, "tagName": "0.0.1", "stored": True}}
    assert redis_db.zrange("meta:releases:Codertocat/Hello-World", 0, -1, withscores=True) == \
        [("17372790", epoch("2019-05-15T15:20:53Z"))]
    assert json.loads(redis_db.hget("meta:release-data:Codertocat/Hello-World", "17372790")) == {
        "id": 17372790, "tagName": "0.0.1", "name": None,
        "htmlUrl": "https://github.com/Codertocat/Hello-World/releases/tag/0.0.1",
        "publishedAt": "2019-05-15T15:20:53Z"}
    assert redis_db.get("cache:changelog-version:Codertocat/Hello-World") != version
    assert redis_db.exists("lock:github-delivery:rel-1")
    snapshot = {key: redis_db.dump(key) for key in redis_db.keys("*")}

    again = deliver(client, "release", fixture_bytes("release.published"), delivery="rel-1")

    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert {key: redis_db.dump(key) for key in redis_db.keys("*")} == snapshot


def test_it_refuses_a_release_delivery_with_a_bad_signature(client, redis_db):
    owner(name="Codertocat/Hello-World", github_id=186853002)

    response = deliver(client, "release", fixture_bytes("release.published"), secret="not the secret")

    assert response.status_code == 401
    assert redis_db.keys("meta:release*") == []


def test_it_groups_entries_under_the_first_release_published_at_or_after_their_merge(client, redis_db):
    user = owner()
    published(user, pr_id=1, title="Old fix", mergedAt="2026-01-10T10:00:00Z")
    published(user, pr_id=2, title="Merged as v1 shipped", mergedAt="2026-02-01T12:00:00Z")
    published(user, pr_id=3, title="Between releases", mergedAt="2026-02-01T12:00:01Z")
    published(user, pr_id=4, title="Just before v2", mergedAt="2026-03-01T11:59:59Z")
    published(user, pr_id=5, title="Not shipped yet", mergedAt="2026-03-05T10:00:00Z")
    reader = browser()
    assert [heading for heading, _ in sections(reader.get(BASE).content.decode())] == \
        ["March 2026", "February 2026", "January 2026"]

    assert deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-01T12:00:00Z",
                                                      name="Version 1")).status_code == 200
    assert deliver(client, "release", release_payload(102, "v2.0.0", "2026-03-01T12:00:00Z",
                                                      action="released")).status_code == 200
    html = reader.get(BASE).content.decode()

    assert sections(html) == [
        ("Unreleased", ["Not shipped yet"]),
        ("v2.0.0", ["Just before v2", "Between releases"]),
        ("Version 1", ["Merged as v1 shipped", "Old fix"]),
    ]
    assert "Coming in the next release" in html
    assert 'href="https://github.com/octo-org/octo-repo/releases/tag/v1.0.0"' in html
    assert '<code class="release-tag">v1.0.0</code>' in html
    assert "Released Feb 1, 2026" in html and "Released Mar 1, 2026" in html


def test_it_has_no_unreleased_group_when_everything_shipped(client, redis_db):
    user = owner()
    published(user, pr_id=1, title="Shipped", mergedAt="2026-02-01T10:00:00Z")

    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z"))

    assert sections(browser().get(BASE).content.decode()) == [("v1.0.0", ["Shipped"])]


def test_an_edit_renames_the_release_on_the_page(client, redis_db):
    user = owner()
    published(user, pr_id=1, title="Shipped", mergedAt="2026-02-01T10:00:00Z")
    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z"))
    reader = browser()
    reader.get(BASE)

    deliver(client, "release", release_payload(101, "v1.0.1", "2026-02-02T12:00:00Z", action="edited",
                                               name="Spring release"))

    assert sections(reader.get(BASE).content.decode()) == [("Spring release", ["Shipped"])]
    assert redis_db.zcard(RELEASES) == 1


def test_it_keeps_grouping_by_month_without_releases(client, redis_db):
    user = owner()
    published(user, pr_id=1, title="February thing", mergedAt="2026-02-20T10:00:00Z")
    published(user, pr_id=2, title="March thing", mergedAt="2026-03-02T10:00:00Z")
    deliver(client, "release", release_payload(101, "v1.0.0-rc.1", "2026-03-03T12:00:00Z", prerelease=True))
    deliver(client, "release", release_payload(102, "v1.0.0", None, draft=True, action="edited"))

    html = browser().get(BASE).content.decode()

    assert sections(html) == [("March 2026", ["March thing"]), ("February 2026", ["February thing"])]
    assert "Unreleased" not in html
    assert redis_db.keys("meta:release*") == []


@pytest.mark.parametrize("action", ["deleted", "unpublished"])
def test_a_deleted_or_unpublished_release_is_removed(client, redis_db, action):
    user = owner()
    published(user, pr_id=1, title="Shipped", mergedAt="2026-02-01T10:00:00Z")
    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z"))
    reader = browser()
    assert sections(reader.get(BASE).content.decode()) == [("v1.0.0", ["Shipped"])]

    response = deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z", action=action))

    assert response.status_code == 200
    assert response.json()["release"] == {"id": 101, "stored": False, "removed": True}
    assert redis_db.keys("meta:release*") == []
    assert sections(reader.get(BASE).content.decode()) == [("February 2026", ["Shipped"])]


def test_a_release_edited_into_a_prerelease_stops_grouping(client, redis_db):
    user = owner()
    published(user, pr_id=1, title="Shipped", mergedAt="2026-02-01T10:00:00Z")
    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z"))

    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z", action="edited",
                                               prerelease=True))

    assert redis_db.zcard(RELEASES) == 0
    assert sections(browser().get(BASE).content.decode()) == [("February 2026", ["Shipped"])]


def test_it_ignores_releases_of_repositories_no_one_connected(client, redis_db):
    response = deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z"))

    assert response.status_code == 202 and response.json()["reason"] == "not_connected"
    assert redis_db.keys("*") == []


def test_it_finds_the_repository_by_github_id_when_the_payload_has_a_newer_name(client, redis_db):
    owner()

    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z", repo="octo-org/renamed"))

    assert redis_db.zrange(RELEASES, 0, -1) == ["101"]


def test_it_answers_400_for_a_release_without_a_publication_time(client, redis_db):
    owner()

    response = deliver(client, "release", release_payload(101, "v1.0.0", "yesterday"))

    assert response.status_code == 400 and response.json()["code"] == "invalid_payload"
    assert redis_db.keys("meta:release*") == []


def test_a_rename_moves_the_releases(client, redis_db):
    old, new, github_id = "Octocoders/Old-World", "Octocoders/Hello-World", 186853261  # repository.renamed.json
    user = owner(name=old, github_id=github_id)
    published(user, pr_id=1, repo_id=old, title="Shipped", mergedAt="2026-02-01T10:00:00Z")
    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z", repo=old, github_id=github_id))
    stored = redis_db.hget(f"meta:release-data:{old}", "101")

    assert deliver(client, "repository", fixture_bytes("repository.renamed")).status_code == 202

    assert redis_db.keys(f"meta:release*{old}") == []
    assert redis_db.zrange(f"meta:releases:{new}", 0, -1, withscores=True) == [("101", epoch("2026-02-02T12:00:00Z"))]
    assert redis_db.hget(f"meta:release-data:{new}", "101") == stored.replace(old, new)  # htmlUrl follows
    assert sections(browser().get("/changelog/Octocoders/Hello-World/").content.decode()) == \
        [("v1.0.0", ["Shipped"])]


def test_account_deletion_removes_the_releases_of_a_repository_no_one_else_connected(client, redis_db):
    alice, bob = owner(), make_user()
    make_repo(bob, name="octo-org/shared", githubRepoId=777)
    make_repo(alice, name="octo-org/shared", githubRepoId=777)
    deliver(client, "release", release_payload(101, "v1.0.0", "2026-02-02T12:00:00Z"))
    deliver(client, "release", release_payload(201, "v9", "2026-02-02T12:00:00Z", repo="octo-org/shared",
                                               github_id=777))

    account_delete(user_id=alice.id)

    assert redis_db.keys(f"meta:release*{REPO}") == []
    assert redis_db.zrange("meta:releases:octo-org/shared", 0, -1) == ["201"]
