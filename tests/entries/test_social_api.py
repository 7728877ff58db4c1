"""The social posts API through Django's test client: generation (built-in and AI, with the quota),
edits, discard, tenant isolation and drafts another implementation wrote."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests
import responses
import time_machine

from billing.models import Usage
from entries.models import SocialPost
from entries.publishing import PlanLimitReached
from entries.social import social_generate
from entries.tweet_length import weighted_length
from tests.factories import make_entry, make_social, make_user

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
COMPLETIONS = "https://ai.test/v1/chat/completions"
BASE = "https://changelog.example.com"
pytestmark = pytest.mark.django_db


def completion(text):
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]}


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.fixture
def provider(settings):
    settings.AI_API_BASE, settings.AI_API_KEY, settings.AI_MODEL = "https://ai.test/v1", "sk-test", "test-model"
    with responses.RequestsMock() as mock:
        yield mock


def generate(client, auth, entry, **body):
    return client.post(f"/api/entries/{entry.id}/social/", data=json.dumps(body), content_type="application/json",
                       **auth)


@time_machine.travel(MARCH, tick=False)
def test_the_builtin_writer_writes_a_thread_for_free(client, account):
    user, _, auth = account()
    entry = make_entry(user, pr_id=12, title="feat(ui): add dark mode (#12)", labels=["dark-mode"],
                       body="Adds a dark theme that follows the operating system setting.")

    response = generate(client, auth, entry, platform="twitter", tone="excited")

    assert response.status_code == 201
    data = response.json()
    assert data["writer"] == "builtin" and data["tone"] == "excited" and data["hashtags"] == ["DarkMode", "NewFeature"]
    link = f"{BASE}/changelog/octo-org/octo-repo/12/"
    assert data["tweets"][-1].endswith(link) and "dark theme" in data["tweets"][0]
    assert data["lengths"] == [weighted_length(text) for text in data["tweets"]]
    stored = SocialPost.get(user.id, entry.id, "twitter")
    assert stored.tweets == data["tweets"] and stored.id == data["id"]
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 0


def test_it_writes_a_linkedin_post_and_lists_both(client, account):
    user, _, auth = account()
    entry = make_entry(user, status="published", publishedAt="2026-03-10T10:00:00Z")
    generate(client, auth, entry, platform="twitter")

    created = generate(client, auth, entry, platform="linkedin", tone="technical").json()
    listed = client.get(f"/api/entries/{entry.id}/social/", **auth).json()

    assert created["post"].startswith("octo-repo feature (PR #") and created["post"].endswith("/")
    assert [draft["platform"] for draft in listed["results"]] == ["twitter", "linkedin"]
    assert listed["writer"] == "builtin" and listed["results"][1]["lengths"] == [len(created["post"])]


@time_machine.travel(MARCH, tick=False)
def test_the_ai_provider_writes_the_words_and_it_counts_one_rewrite(client, account, provider):
    provider.post(COMPLETIONS, json=completion("1/2 Dark mode is here!\nYour eyes will thank you at night. 2/2\n"
                                               "#darkmode #ui"))
    user, _, auth = account()
    entry = make_entry(user, pr_id=30)

    response = generate(client, auth, entry, platform="twitter", tone="casual")

    assert response.status_code == 201 and response.json()["writer"] == "ai"
    tweets = response.json()["tweets"]
    assert tweets == [f"Dark mode is here! Your eyes will thank you at night.\n\n#NewFeature\n"
                      f"Take a look: {BASE}/changelog/octo-org/octo-repo/30/"]
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 1
    sent = json.loads(provider.calls[0].request.body)
    assert sent["model"] == "test-model" and "casual" in sent["messages"][0]["content"]


@time_machine.travel(MARCH, tick=False)
def test_an_ai_linkedin_hook_that_is_too_long_gives_way_to_the_tones_own(client, account, provider):
    provider.post(COMPLETIONS, json=completion("A" * 200 + "\n\nThe body of the post."))
    user, _, auth = account()

    post = generate(client, auth, make_entry(user), platform="linkedin").json()["post"]

    assert post.startswith("octo-repo update: ") and len(post.split("\n")[0]) <= 140
    assert "The body of the post." in post


@time_machine.travel(MARCH, tick=False)
@pytest.mark.parametrize("used, allowed", [(4, True), (5, False)])
def test_ai_generation_stops_at_the_monthly_rewrite_limit(client, account, provider, used, allowed):
    provider.assert_all_requests_are_fired = False
    provider.post(COMPLETIONS, json=completion("Dark mode is here."))
    user, _, auth = account(plan="free")
    Usage(user.id, "2026-03").increment("aiRewrites", used)
    entry = make_entry(user)

    response = generate(client, auth, entry, platform="twitter")

    if allowed:
        assert response.status_code == 201
        assert Usage(user.id, "2026-03").get()["aiRewrites"] == used + 1
    else:
        assert response.status_code == 402 and response.json()["code"] == "plan_limit_reached"
        assert len(provider.calls) == 0  # no wasted call at the limit
        assert SocialPost.get(user.id, entry.id, "twitter") is None
        assert Usage(user.id, "2026-03").get()["aiRewrites"] == used


@time_machine.travel(MARCH, tick=False)
def test_concurrent_ai_generations_stop_exactly_at_the_limit(provider, redis_db):
    provider.assert_all_requests_are_fired = False
    provider.post(COMPLETIONS, json=completion("Dark mode is here."))
    user = make_user(plan="free")
    Usage(user.id, "2026-03").increment("aiRewrites", 2)
    entries = [make_entry(user, pr_id=500 + n) for n in range(12)]

    def attempt(entry):
        try:
            social_generate(user_id=user.id, entry_id=entry.id, platform="twitter")
            return True
        except PlanLimitReached:
            return False

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(attempt, entries))

    assert outcomes.count(True) == 3
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 5
    assert sum(SocialPost.get(user.id, entry.id, "twitter") is not None for entry in entries) == 3


@time_machine.travel(MARCH, tick=False)
def test_the_builtin_writer_works_past_the_rewrite_limit(client, account):
    user, _, auth = account(plan="free")
    Usage(user.id, "2026-03").increment("aiRewrites", 5)

    response = generate(client, auth, make_entry(user), platform="linkedin")

    assert response.status_code == 201 and Usage(user.id, "2026-03").get()["aiRewrites"] == 5


@time_machine.travel(MARCH, tick=False)
def test_a_failed_provider_call_costs_nothing_and_stores_nothing(client, account, provider):
    provider.assert_all_requests_are_fired = False
    for _ in range(3):
        provider.post(COMPLETIONS, body=requests.ConnectionError("down"))
    user, _, auth = account()
    entry = make_entry(user)

    response = generate(client, auth, entry, platform="twitter")

    assert response.status_code == 502 and response.json()["code"] == "ai_provider_error"
    assert SocialPost.get(user.id, entry.id, "twitter") is None
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 0


def test_it_rejects_an_unknown_platform_or_tone(client, account):
    user, _, auth = account()
    entry = make_entry(user)

    assert generate(client, auth, entry, platform="mastodon").status_code == 400
    assert generate(client, auth, entry, platform="twitter", tone="angry").status_code == 400
    assert generate(client, auth, entry).json()["code"] == "invalid"


def test_it_saves_an_edit_and_refuses_a_post_x_would_refuse(client, account):
    user, _, auth = account()
    entry = make_entry(user)
    make_social(user, entry, "twitter", tweets=["One.", "Two."])
    url = f"/api/entries/{entry.id}/social/twitter/"

    saved = client.patch(url, data=json.dumps({"tweets": ["Edited 😷 https://example.com/" + "x" * 300]}),
                         content_type="application/json", **auth)
    refused = client.patch(url, data=json.dumps({"tweets": ["ok", "日" * 141]}), content_type="application/json",
                           **auth)

    assert saved.status_code == 200 and saved.json()["lengths"] == [7 + 2 + 1 + 23]
    assert refused.status_code == 400 and "post 2" in refused.json()["errors"]["tweets"]
    assert SocialPost.get(user.id, entry.id, "twitter").tweets[0].startswith("Edited")


def test_a_linkedin_post_over_3000_is_refused(client, account):
    user, _, auth = account()
    entry = make_entry(user)
    make_social(user, entry, "linkedin")

    response = client.patch(f"/api/entries/{entry.id}/social/linkedin/", data=json.dumps({"post": "🚀" * 1501}),
                            content_type="application/json", **auth)

    assert response.status_code == 400 and "3002" in response.json()["errors"]["post"]


def test_delete_discards_one_platform(client, account, redis_db):
    user, _, auth = account()
    entry = make_entry(user)
    make_social(user, entry, "twitter")
    make_social(user, entry, "linkedin")

    first = client.delete(f"/api/entries/{entry.id}/social/twitter/", **auth)
    again = client.delete(f"/api/entries/{entry.id}/social/twitter/", **auth)

    assert first.status_code == 204 and again.status_code == 404
    assert redis_db.smembers(f"idx:social:{user.id}:{entry.id}") == {"linkedin"}
    assert [draft.platform for draft in SocialPost.for_entry(user.id, entry.id)] == ["linkedin"]


def test_another_users_entry_is_a_404_everywhere(client, account):
    owner, _, _ = account()
    entry = make_entry(owner)
    make_social(owner, entry, "twitter", tweets=["Secret launch"])
    _, _, intruder = account()
    base = f"/api/entries/{entry.id}/social/"

    answers = [client.get(base, **intruder), generate(client, intruder, entry, platform="linkedin"),
               client.patch(base + "twitter/", data=json.dumps({"tweets": ["Hijacked"]}),
                            content_type="application/json", **intruder),
               client.delete(base + "twitter/", **intruder)]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert all(b"Secret launch" not in answer.content for answer in answers)
    assert SocialPost.get(owner.id, entry.id, "twitter").tweets == ["Secret launch"]
    assert SocialPost.get(owner.id, entry.id, "linkedin") is None


def test_a_draft_another_implementation_wrote_shows_as_it_is(client, account, redis_db):
    user, _, auth = account()
    entry = make_entry(user)
    foreign = {"id": "tw_1741521600000", "entryId": entry.id, "userId": user.id, "platform": "twitter",
               "tweets": ["🚀 Shipped: dark mode " + "x" * 290, "Second post, no numbering"],
               "hashtags": ["#DarkMode"], "tone": "Hype", "createdAt": "2026-03-09T12:00:00.000Z"}
    redis_db.set(f"social:{user.id}:{entry.id}:twitter", json.dumps(foreign))  # written without our index

    listed = client.get(f"/api/entries/{entry.id}/social/", **auth).json()["results"]

    assert len(listed) == 1 and listed[0]["tweets"] == foreign["tweets"] and listed[0]["tone"] == "Hype"
    assert listed[0]["hashtags"] == ["#DarkMode"] and listed[0]["lengths"][0] > 280
    assert json.loads(redis_db.get(f"social:{user.id}:{entry.id}:twitter"))["tweets"] == foreign["tweets"]


def test_discarding_the_entry_takes_its_posts_with_it(client, account, redis_db):
    user, _, auth = account()
    entry = make_entry(user)
    generate(client, auth, entry, platform="twitter")

    client.delete(f"/api/entries/{entry.id}/", **auth)

    assert redis_db.get(f"social:{user.id}:{entry.id}:twitter") is None
    assert generate(client, auth, entry, platform="twitter").status_code == 404
