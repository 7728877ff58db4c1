import pytest

from roadmap.closing import ClosingReference, closed_issue_numbers, closing_references

REPO = "acme/api"


@pytest.mark.parametrize("text", ["Fixes #12", "fixes #12", "FIXES #12", "Closes #12", "closes: #12", "Resolves #12",
                                  "resolved #12", "fix #12", "Closed #12", "close #12", "fixed #12", "resolve #12"])
def test_it_reads_every_closing_keyword_in_any_case(text):
    assert closed_issue_numbers(text, repo_name=REPO) == [12]


def test_it_reads_a_reference_to_the_same_repository_by_name_or_url():
    text = "Fixes ACME/api#3 and resolves https://github.com/acme/api/issues/4"

    assert closed_issue_numbers(text, repo_name=REPO) == [3, 4]


def test_it_leaves_out_references_to_other_repositories():
    assert closed_issue_numbers("Fixes acme/web#3, closes other/api#4", repo_name=REPO) == []


def test_it_needs_a_keyword_before_each_reference_as_github_does():
    assert closed_issue_numbers("Fixes #1, #2 and closes #3", repo_name=REPO) == [1, 3]


def test_it_ignores_mentions_and_lookalike_words():
    text = "Refs #5. Prefixes #6 are fine. See #7. hotfix#8 prefix/fixes #9 fixes #10abc"

    assert closed_issue_numbers(text, repo_name=REPO) == []


def test_it_reads_title_and_body_together_without_duplicates():
    assert closed_issue_numbers("Fix #2: crash on save", "Fixes #2.\n\nAlso closes #11.", repo_name=REPO) == [2, 11]


def test_it_keeps_the_repository_a_reference_names():
    assert closing_references("closes octo/cat#9 and fixes #1") == [ClosingReference(9, "octo/cat"),
                                                                    ClosingReference(1, None)]


@pytest.mark.parametrize("keyword", ["fix", "fixes", "fixed", "close", "closes", "closed", "resolve", "resolves",
                                     "resolved"])
def test_it_reads_each_of_the_nine_keywords_before_a_same_repository_reference(keyword):
    assert closed_issue_numbers(f"{keyword.upper()} acme/api#8, {keyword.title()}: #9", repo_name=REPO) == [8, 9]


def test_it_ignores_references_inside_fenced_code_blocks():
    body = "Fixes #1\n\n```sh\ngit commit -m 'fixes #2'\n```\n\n~~~\ncloses #3\n~~~\nResolves #4"

    assert closed_issue_numbers(body, repo_name=REPO) == [1, 4]


def test_it_ignores_references_in_inline_code_and_html_comments():
    body = "Write `Fixes #5` to close an issue.\n<!-- e.g. Fixes #6 -->\n``closes #7`` but fixes #8"

    assert closed_issue_numbers(body, repo_name=REPO) == [8]


def test_an_unclosed_code_fence_hides_the_rest_of_the_text():
    assert closed_issue_numbers("Fixes #1\n```\nfixes #2", repo_name=REPO) == [1]


def test_a_stray_backtick_does_not_hide_the_next_paragraph():
    assert closed_issue_numbers("Use a ` here.\n\nFixes #3", repo_name=REPO) == [3]
