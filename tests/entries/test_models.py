import json

import pytest

from changelog_site.kv.records import ValidationError
from entries.models import Entry, SocialPost
from tests.factories import make_entry, make_social, make_user


def test_it_stores_an_entry_as_the_documents_json(redis_db):
    user = make_user()
    entry = make_entry(user, repo_id="acme/api", pr_id=1347, labels=["bug", "ui"], category="Fixed",
                       mergedAt="2026-03-09T12:00:00Z")

    raw = json.loads(redis_db.get(f"entry:{user.id}:acme/api:1347"))

    assert raw == {"id": entry.id, "userId": user.id, "repoId": "acme/api", "prId": 1347,
                   "title": "Add dark mode #1347", "body": "Adds a dark theme.", "category": "Fixed",
                   "status": "draft", "mergedAt": "2026-03-09T12:00:00Z",
                   "prUrl": "https://github.com/acme/api/pull/1347", "author": "octocat", "aiRewrite": None,
                   "labels": ["bug", "ui"]}
    assert Entry.get(user.id, "acme/api", 1347) == entry
    assert Entry.get_by_id(entry.id) == entry


def test_it_gives_entries_opaque_url_safe_ids(redis_db):
    entry = make_entry(make_user())

    assert entry.id.startswith("ent_") and ":" not in entry.id and "/" not in entry.id


@pytest.mark.parametrize("field, value", [("category", "Breaking"), ("status", "archived"), ("title", "  "),
                                          ("labels", "bug"), ("prId", "12"), ("mergedAt", "2026-03-09")])
def test_it_rejects_invalid_entry_fields(redis_db, field, value):
    with pytest.raises(ValidationError) as error:
        make_entry(make_user(), **{field: value})

    assert field in error.value.errors
    assert redis_db.keys("entry:*") == []


def test_it_moves_an_entry_between_status_indexes(redis_db):
    user = make_user()
    entry = make_entry(user, repo_id="acme/api")

    entry.status, entry.publishedAt = "published", "2026-03-10T09:00:00Z"
    entry.save()

    assert Entry.count(user.id, "draft") == 0
    assert Entry.count(user.id, "published") == 1
    assert Entry.count(user.id, "published", repo_id="acme/api") == 1


def test_it_pages_entries_newest_merged_first(redis_db):
    user = make_user()
    for day in range(1, 8):
        make_entry(user, repo_id="acme/api", pr_id=100 + day, mergedAt=f"2026-03-0{day}T10:00:00Z")
    make_entry(user, repo_id="acme/web", pr_id=1, mergedAt="2026-03-04T11:00:00Z")

    first, cursor = Entry.page(user.id, "draft", repo_id="acme/api", limit=3)
    second, cursor = Entry.page(user.id, "draft", repo_id="acme/api", cursor=cursor, limit=3)
    third, cursor = Entry.page(user.id, "draft", repo_id="acme/api", cursor=cursor, limit=3)

    assert [e.prId for e in first + second + third] == [107, 106, 105, 104, 103, 102, 101]
    assert cursor is None
    everything, _ = Entry.page(user.id, "draft", limit=50)
    assert len(everything) == 8


def test_it_pages_through_entries_merged_at_the_same_second(redis_db):
    user = make_user()
    for pr_id in range(1, 6):
        make_entry(user, pr_id=pr_id, mergedAt="2026-03-09T12:00:00Z")

    seen, cursor = [], None
    while True:
        page, cursor = Entry.page(user.id, "draft", cursor=cursor, limit=2)
        seen += [entry.prId for entry in page]
        if cursor is None:
            break

    assert sorted(seen) == [1, 2, 3, 4, 5]


def test_it_rejects_a_forged_cursor(redis_db):
    with pytest.raises(ValidationError):
        Entry.page("user_a", "draft", cursor="!!!not-base64")


def test_it_removes_every_index_entry_on_delete(redis_db):
    user = make_user()
    entry = make_entry(user, repo_id="acme/api")

    entry.delete()

    assert Entry.get_by_id(entry.id) is None
    assert Entry.count(user.id, "draft") == 0
    assert redis_db.keys("idx:entr*") == []


def test_it_stores_social_posts_per_platform(redis_db):
    user = make_user()
    entry = make_entry(user)
    tweet = make_social(user, entry, "twitter")
    make_social(user, entry, "linkedin", tone="friendly")

    raw = json.loads(redis_db.get(f"social:{user.id}:{entry.id}:twitter"))

    assert raw == {"id": tweet.id, "entryId": entry.id, "userId": user.id, "platform": "twitter",
                   "tweets": ["We shipped dark mode!"], "hashtags": ["changelog"],
                   "createdAt": "2026-03-09T12:00:00Z"}
    assert [post.platform for post in SocialPost.for_entry(user.id, entry.id)] == ["linkedin", "twitter"]


def test_it_rejects_an_unknown_social_platform(redis_db):
    user = make_user()
    with pytest.raises(ValidationError):
        make_social(user, make_entry(user), platform="mastodon")
