from datetime import datetime, timezone

import pytest
import requests
import responses
import time_machine

from billing.models import Usage
from changelog_site.domain import ProviderFailed
from entries import ai
from entries.models import Entry
from entries.publishing import PlanLimitReached, entry_rewrite
from tests.conftest import load_fixture
from tests.factories import make_entry, make_user

MARCH = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
COMPLETIONS = "https://ai.test/v1/chat/completions"


def completion(text):
    return {"id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]}


@pytest.fixture
def provider(settings):
    settings.AI_API_BASE, settings.AI_API_KEY, settings.AI_MODEL = "https://ai.test/v1", "sk-test", "test-model"
    with responses.RequestsMock() as mock:
        yield mock


@time_machine.travel(MARCH, tick=False)
def test_it_stores_the_providers_rewrite_and_counts_it(provider, redis_db):
    provider.post(COMPLETIONS, json=completion("You can now switch to a dark theme."))
    user = make_user()
    entry = make_entry(user)

    rewritten = entry_rewrite(user_id=user.id, entry_id=entry.id)

    assert rewritten.aiRewrite == "You can now switch to a dark theme."
    assert Entry.get_by_id(entry.id).aiRewrite == "You can now switch to a dark theme."
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 1
    sent = provider.calls[0].request
    assert sent.headers["Authorization"] == "Bearer sk-test"
    assert b'"model": "test-model"' in sent.body


@time_machine.travel(MARCH, tick=False)
def test_it_retries_after_a_429(provider):
    provider.post(COMPLETIONS, status=429, headers={"Retry-After": "1"})
    provider.post(COMPLETIONS, json=completion("Faster search."))
    user = make_user()

    assert entry_rewrite(user_id=user.id, entry_id=make_entry(user).id).aiRewrite == "Faster search."
    assert len(provider.calls) == 2


@time_machine.travel(MARCH, tick=False)
@pytest.mark.parametrize("failure", [{"status": 500}, {"body": requests.Timeout("slow")}, {"status": 401}])
def test_a_failed_provider_call_costs_nothing(provider, failure):
    for _ in range(3):
        provider.post(COMPLETIONS, **failure)
    provider.assert_all_requests_are_fired = False
    user = make_user()
    entry = make_entry(user)

    with pytest.raises(ProviderFailed) as error:
        entry_rewrite(user_id=user.id, entry_id=entry.id)

    assert error.value.code == "ai_provider_error"
    assert Usage(user.id, "2026-03").get()["aiRewrites"] == 0
    assert Entry.get_by_id(entry.id).aiRewrite is None


@time_machine.travel(MARCH, tick=False)
@pytest.mark.parametrize("used, allowed", [(3, True), (4, True), (5, False), (6, False)])
def test_it_enforces_the_rewrite_limit_at_the_boundary(used, allowed):
    user = make_user(plan="free")
    Usage(user.id, "2026-03").increment("aiRewrites", used)
    entry = make_entry(user)

    if allowed:
        entry_rewrite(user_id=user.id, entry_id=entry.id)
        assert Usage(user.id, "2026-03").get()["aiRewrites"] == used + 1
    else:
        with pytest.raises(PlanLimitReached):
            entry_rewrite(user_id=user.id, entry_id=entry.id)
        assert Usage(user.id, "2026-03").get()["aiRewrites"] == used


def test_the_offline_writer_is_used_when_no_provider_is_configured(redis_db):
    user = make_user()
    entry = make_entry(user, title="fix(auth): handle expired sessions (#88)",
                       body="Users were logged out randomly. Now sessions refresh in the background.\n\nFixes #87")

    rewritten = entry_rewrite(user_id=user.id, entry_id=entry.id)

    assert rewritten.aiRewrite == ("Fixed: handle expired sessions. Users were logged out randomly. "
                                   "Now sessions refresh in the background.")


def test_the_offline_writer_drops_template_boilerplate():
    body = """<!-- Thank you for your contribution! Please describe your change. -->
## Description
Adds a `dark` theme that follows the operating system setting.

Closes acme/web#1200

## Checklist
- [x] Tests added
- [ ] Docs updated

## Screenshots
![before](https://user-images.githubusercontent.com/1/shot.png)
<img src="https://example.com/after.png">
"""
    text = ai.offline_rewrite("feat(ui)!: add dark mode", body)

    assert text == "You can now use dark mode. Adds a dark theme that follows the operating system setting."


def test_the_offline_writer_falls_back_to_a_cleaned_title():
    assert ai.offline_rewrite("feat(api)!: add bulk export (#42)", "- [x] tests\n\nFixes #41") == \
        "You can now use bulk export."
    assert ai.offline_rewrite("feature/catalog-info", "") == "Catalog info."


@pytest.mark.parametrize("fixture", ["github/webhooks/pull_request.closed.merged.json",
                                     "github/webhooks/pull_request.opened.json",
                                     "github/webhooks/pull_request.unlabeled.json",
                                     "github/rest/pulls.get.json"])
def test_the_offline_writer_reads_real_pull_requests(fixture):
    payload = load_fixture(fixture)
    pr = payload.get("pull_request", payload)

    text = ai.offline_rewrite(pr["title"], pr["body"])

    assert text and len(text) <= 700
    assert "<!--" not in text and "- [" not in text and "#" not in text.replace("**", "")
