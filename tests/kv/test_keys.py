import pytest

from changelog_site.kv import keys


def test_it_builds_the_documents_key_formats():
    assert keys.user("u1") == "user:u1"
    assert keys.github_token("u1") == "user:u1:github_token"
    assert keys.dodo_customer_id("u1") == "user:u1:dodo_customer_id"
    assert keys.dodo_subscription_id("u1") == "user:u1:dodo_subscription_id"
    assert keys.repo("u1", "acme/api") == "repo:u1:acme/api"
    assert keys.repo_user("acme/api", "u1") == "repo:acme/api:users:u1"
    assert keys.entry("u1", "acme/api", 7) == "entry:u1:acme/api:7"
    assert keys.usage("u1", "2026-03") == "usage:u1:2026-03"
    assert keys.social("u1", "e1", "twitter") == "social:u1:e1:twitter"
    assert keys.widget("u1", "acme/api") == "widget:u1:acme/api"
    assert keys.widget_impressions("w1") == "widget:impressions:w1"
    assert keys.widget_clicks("w1") == "widget:clicks:w1"
    assert keys.widget_entry_clicks("w1", "e1") == "widget:entry:w1:e1:clicks"
    assert keys.subscriber("acme/api", "a@b.co") == "subscriber:acme/api:a@b.co"
    assert keys.page_views("e1", "2026-03-09") == "analytics:views:e1:2026-03-09"
    assert keys.visitor("v1") == "analytics:visitor:v1"
    assert keys.entry_upvotes("e1") == "analytics:upvotes:e1"
    assert keys.entry_upvoters("e1") == "analytics:upvotes:e1:voters"
    assert keys.roadmap_item("u1", "acme/api", 3) == "roadmap:u1:acme/api:3"
    assert keys.roadmap_upvotes("r1") == "roadmap:upvotes:r1"
    assert keys.roadmap_upvoters("r1") == "roadmap:upvotes:r1:voters"


def test_it_refuses_a_placeholder_containing_a_colon():
    with pytest.raises(ValueError):
        keys.user("evil:user")


@pytest.mark.parametrize("key, expected", [
    ("user:u1", ("user", {"user_id": "u1"})),
    ("user:u1:github_token", ("github_token", {"user_id": "u1"})),
    ("user:u1:dodo_subscription_id", ("dodo_subscription_id", {"user_id": "u1"})),
    ("repo:u1:acme/api", ("repo", {"user_id": "u1", "repo_id": "acme/api"})),
    ("repo:acme/api:users:u1", ("repo_user", {"repo_name": "acme/api", "user_id": "u1"})),
    ("entry:u1:acme/api:7", ("entry", {"user_id": "u1", "repo_id": "acme/api", "pr_id": "7"})),
    ("widget:impressions:w1", ("widget_impressions", {"widget_id": "w1"})),
    ("widget:entry:w1:e1:clicks", ("widget_entry_clicks", {"widget_id": "w1", "entry_id": "e1"})),
    ("widget:u1:acme/api", ("widget", {"user_id": "u1", "repo_id": "acme/api"})),
    ("analytics:upvotes:e1:voters", ("entry_upvoters", {"entry_id": "e1"})),
    ("roadmap:upvotes:r1", ("roadmap_upvotes", {"roadmap_id": "r1"})),
    ("roadmap:u1:acme/api:3", ("roadmap_item", {"user_id": "u1", "repo_id": "acme/api", "issue_id": "3"})),
    ("idx:users", ("idx_users", {})),
    ("idx:entries:u1:acme/api:draft",
     ("idx_repo_entries", {"user_id": "u1", "repo_id": "acme/api", "status": "draft"})),
    ("meta:repo-branding:acme/api", ("meta_repo_branding", {"repo_id": "acme/api"})),
    ("cache:1:views.decorators", (None, {})),
    ("lock:github-inbox-drain", (None, {})),
])
def test_it_parses_keys_back_to_their_collection(key, expected):
    assert keys.parse(key) == expected


def test_every_row_of_the_table_parses_back_to_itself():
    for name, pattern in keys.PATTERNS.items():
        values = {field: f"v-{field}" for field in pattern.fields}

        assert keys.parse(getattr(keys, name)(**values)) == (name, values)


def test_it_keeps_what_cannot_be_rebuilt_under_meta_and_knows_its_old_idx_names():
    assert keys.meta_repo_branding("acme/api") == "meta:repo-branding:acme/api"
    assert keys.meta_entry_edited("e1") == "meta:entry-edited:e1"
    assert keys.parse_legacy("idx:repo-branding:acme/api") == ("meta_repo_branding", {"repo_id": "acme/api"})
    assert keys.parse_legacy("idx:dodo-on-hold") == ("meta_dodo_on_hold", {})
    assert keys.parse_legacy("idx:users") == (None, {})
