"""The Social posts pages: per entry (write, preview, edit, discard) and the list."""

import pytest

from entries.models import SocialPost
from tests.factories import make_entry, make_social

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = "https://changelog.example.com"


def test_the_editor_and_the_navigation_link_to_social_posts(signed_in):
    client, user = signed_in
    entry = make_entry(user)

    editor = client.get(f"/dashboard/entries/{entry.id}/").content.decode()

    assert f'href="/dashboard/entries/{entry.id}/social/"' in editor
    assert 'href="/dashboard/social/"' in editor


def test_an_entry_without_posts_offers_to_write_them_and_says_who_writes(signed_in):
    client, user = signed_in
    entry = make_entry(user)

    page = client.get(f"/dashboard/entries/{entry.id}/social/").content.decode()

    assert "No X thread yet." in page and "No LinkedIn post yet." in page
    assert "Built-in writer" in page and "No AI provider is configured on this server" in page
    assert "still a draft" in page
    for tone in ("casual", "professional", "excited", "technical"):
        assert f'value="{tone}"' in page


def test_writing_through_the_page_previews_each_post_with_its_count(signed_in):
    client, user = signed_in
    entry = make_entry(user, pr_id=41, status="published", publishedAt="2026-03-10T10:00:00Z", labels=["dark-mode"])

    response = client.post(f"/dashboard/entries/{entry.id}/social/generate/", {"platform": "twitter",
                                                                               "tone": "excited"}, follow=True)

    page = response.content.decode()
    draft = SocialPost.get(user.id, entry.id, "twitter")
    assert draft.tone == "excited" and "built-in writer" in page and "nothing was counted" in page
    assert 'class="x-text"' in page and '<span class="tag">#DarkMode</span>' in page
    assert '<span class="link">changelog.example.com/chan…</span>' in page  # shown as X shows links
    assert "/280</span>" in page and "still a draft" not in page


def test_a_refused_edit_keeps_what_was_typed(signed_in):
    client, user = signed_in
    entry = make_entry(user)
    make_social(user, entry, "twitter", tweets=["Short."])

    response = client.post(f"/dashboard/entries/{entry.id}/social/twitter/save/", {"tweet": ["日" * 150]})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Not saved" in page and "日" * 150 in page and "300/280" in page
    assert SocialPost.get(user.id, entry.id, "twitter").tweets == ["Short."]


def test_an_edit_saves_and_discard_deletes(signed_in):
    client, user = signed_in
    entry = make_entry(user)
    make_social(user, entry, "linkedin", post="Old hook\n\nOld body")

    client.post(f"/dashboard/entries/{entry.id}/social/linkedin/save/", {"post": "New hook, PR #12\n\nBody #Launch"})
    assert SocialPost.get(user.id, entry.id, "linkedin").post == "New hook, PR #12\n\nBody #Launch"
    page = client.get(f"/dashboard/entries/{entry.id}/social/").content.decode()
    assert '<p class="li-hook" data-preview-of="li-post" data-preview-kind="li-hook">New hook, PR #12</p>' in page
    assert 'Body <span class="tag">#Launch</span>' in page

    client.post(f"/dashboard/entries/{entry.id}/social/linkedin/discard/")
    assert SocialPost.get(user.id, entry.id, "linkedin") is None


def test_another_users_entry_page_is_a_404(signed_in, account):
    client, _ = signed_in
    owner, _, _ = account()
    entry = make_entry(owner)
    make_social(owner, entry, "twitter", tweets=["Secret"])

    assert client.get(f"/dashboard/entries/{entry.id}/social/").status_code == 404
    assert client.post(f"/dashboard/entries/{entry.id}/social/generate/", {"platform": "twitter"}).status_code == 404
    assert client.post(f"/dashboard/entries/{entry.id}/social/twitter/discard/").status_code == 404
    assert SocialPost.get(owner.id, entry.id, "twitter") is not None


def test_the_list_shows_only_entries_with_posts_newest_first_a_page_at_a_time(signed_in):
    client, user = signed_in
    numbers = range(1, 46)
    for n in numbers:
        entry = make_entry(user, pr_id=n, mergedAt=f"2026-03-{1 + n // 24:02d}T{n % 24:02d}:00:00Z",
                           status="published" if n % 2 else "draft")
        if n % 3:
            make_social(user, entry, "twitter", tweets=[f"Post for #{n}"])
    make_entry(user, pr_id=99, mergedAt="2026-03-28T10:00:00Z")  # no posts: not listed

    first = client.get("/dashboard/social/").content.decode()
    cursor = first.split("?cursor=")[1].split('"')[0]
    second = client.get(f"/dashboard/social/?cursor={cursor}").content.decode()

    expected = [n for n in reversed(numbers) if n % 3]
    assert [n for n in expected if f"Post for #{n}<" in first] == expected[:20]
    assert [n for n in expected if f"Post for #{n}<" in second] == expected[20:]
    assert "Older posts" not in second


def test_the_list_says_how_to_start_when_there_are_no_posts(signed_in):
    client, _ = signed_in

    page = client.get("/dashboard/social/").content.decode()

    assert "No social posts yet." in page and 'aria-current="page">Social posts' in page
