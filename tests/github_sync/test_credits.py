"""Who a pull request credits: its author, the ``Co-authored-by:`` trailers of its body, first
contributions; bots never (docs/github-loop.md)."""

import pytest

from github_sync.credits import co_authors, pr_credits
from tests.webhook_helpers import fixture_json


def merged_pr(**changes):
    pr = fixture_json("pull_request.closed.merged")["pull_request"]
    pr.update(changes)
    return pr


def test_it_credits_the_author_of_a_real_merged_pull_request():
    assert pr_credits(merged_pr()) == {"author": {"login": "sish8075"}, "coAuthors": [], "firstContribution": False}


@pytest.mark.parametrize("association", ["FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER"])
def test_it_marks_a_first_contribution(association):
    assert pr_credits(merged_pr(author_association=association))["firstContribution"] is True


def test_it_reads_co_authors_from_trailers_and_keeps_no_email_address():
    body = ("Adds emoji export.\n\nCo-authored-by: Jane Doe <12345+janedoe@users.noreply.github.com>\n"
            "co-authored-by: Sam Smith <sam@example.com>\nCO-AUTHORED-BY: Jane Doe <janedoe@users.noreply.github.com>")

    people = co_authors(body)

    assert people == [{"login": "janedoe", "name": "Jane Doe"}, {"login": None, "name": "Sam Smith"}]
    assert "example.com" not in repr(people)


def test_it_ignores_trailers_in_code_and_comments():
    body = "```\nCo-authored-by: Code Sample <x@users.noreply.github.com>\n```\n<!-- Co-authored-by: A <a@b.c> -->"

    assert co_authors(body) == []


def test_it_never_credits_bots_by_login_type_or_the_repositorys_patterns():
    body = ("Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>\n"
            "Co-authored-by: Renovate Bot <bot@renovateapp.com>\nCo-authored-by: Ada <ada@example.com>")
    bot_user = {"login": "github-actions[bot]", "type": "Bot"}

    assert pr_credits(merged_pr(user=bot_user, body=body, author_association="FIRST_TIMER"),
                      bot_patterns=("[bot]", "renovate")) == {
        "author": None, "coAuthors": [{"login": None, "name": "Ada"}], "firstContribution": False}
    assert pr_credits(merged_pr(user={"login": "ci-robot", "type": "Bot"}))["author"] is None
    assert pr_credits(merged_pr(user={"login": "renovate-helper", "type": "User"}),
                      bot_patterns=("renovate",))["author"] is None


def test_the_author_is_not_credited_twice_as_a_co_author():
    body = "Co-authored-by: Sish <1+sish8075@users.noreply.github.com>"

    assert pr_credits(merged_pr(body=body))["coAuthors"] == []
