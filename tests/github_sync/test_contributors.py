"""Credit for contributors on the public changelog: "Thanks @user" (and "first contribution") on the
entry, each release or month group ending with its contributors, bots never credited; the same for
backfilled PRs (docs/github-loop.md)."""

import json

import pytest
import responses

from entries import github_loop
from entries.models import Entry
from entries.publishing import entry_publish
from github_sync.services import backfill
from github_sync.services.rules import sync_settings_update
from tests.accounts_helpers import api
from tests.conftest import load_fixture
from tests.github_sync.loop_helpers import (BODY, PR, REPO, REPO_ID, deliver_merged, fake_issue_titles,  # noqa: F401
                                            merged, no_spacing, owner, shipped_in, webhook_secret)

pytestmark = pytest.mark.django_db


def between(html, start, end):
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


def published_from(client, payload):
    made = owner()
    shipped_in(made, shipped_in=False)
    with responses.RequestsMock() as github:
        deliver_merged(client, github, payload)
    entry = Entry.get(made.record.id, REPO, PR)
    entry_publish(user_id=made.record.id, entry_id=entry.id)
    return made, entry


def test_a_first_time_contributor_and_a_co_author_are_thanked_on_the_public_pages(client):
    published_from(client, merged(author_association="FIRST_TIME_CONTRIBUTOR"))

    thanks = between(client.get(f"/changelog/{REPO}/{PR}/").content.decode(), '<p class="thanks">', "</p>")
    group = between(client.get(f"/changelog/{REPO}/").content.decode(), '<p class="group-contributors">', "</p>")

    assert thanks == ('<p class="thanks">Thanks <a href="https://github.com/sish8075" rel="nofollow noopener">@sish8075'
                      '</a> <span class="first-contribution">first contribution</span> and '
                      '<a href="https://github.com/janedoe" rel="nofollow noopener">@janedoe</a>')
    assert "@sish8075" in group and "first contribution" in group and "@janedoe" in group


def test_bots_are_never_credited_even_when_their_prs_get_entries(client):
    bot = {"login": "renovate[bot]", "id": 29139614, "type": "Bot"}
    made = owner()
    sync_settings_update(user_id=made.record.id, github_repo_id=REPO_ID, skip_label="", skip_bots=False,
                         bot_patterns="[bot]", label_rules="", prefix_rules="")
    shipped_in(made, shipped_in=False)
    with responses.RequestsMock() as github:
        deliver_merged(client, github, merged(user=bot, author_association="FIRST_TIMER"))
    entry = Entry.get(made.record.id, REPO, PR)
    entry_publish(user_id=made.record.id, entry_id=entry.id)

    page = client.get(f"/changelog/{REPO}/{PR}/").content.decode()

    assert between(page, '<p class="thanks">', "</p>").endswith('>@janedoe</a>')
    assert "renovate" not in between(page, '<div class="entry-loop">', "</div>")
    assert "dependabot" not in between(page, '<div class="entry-loop">', "</div>")


def test_backfilled_prs_get_their_fixed_issues_and_credits_from_the_rest_api():
    made = owner()
    item = json.loads(json.dumps(load_fixture("github/rest/pulls.list.json")[0]))
    item.update(number=PR, body=BODY, author_association="FIRST_TIME_CONTRIBUTOR", labels=[],
                html_url=f"https://github.com/{REPO}/pull/{PR}", merged_at="2026-02-10T10:00:00Z",
                updated_at="2026-02-10T10:00:00Z")
    with responses.RequestsMock() as github:
        github.get(api(f"/repos/{REPO}/pulls"), json=[item])
        fake_issue_titles(github)
        backfill.entries_backfill(repo_name=REPO)

    entry = Entry.get(made.record.id, REPO, PR)
    loop = github_loop.loops_read([entry])[entry.id]
    assert loop["fixes"] == [{"number": 12, "title": "Export fails on emoji",
                              "url": f"https://github.com/{REPO}/issues/12"},
                             {"number": 13, "title": None, "url": None}]
    assert loop["credits"] == [{"login": "octocat", "name": None, "first": True},
                               {"login": "janedoe", "name": "Jane Doe", "first": False}]
