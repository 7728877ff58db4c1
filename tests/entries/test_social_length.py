"""X's and LinkedIn's length rules: the weighted count, thread splitting, the LinkedIn hook."""

import pytest

from entries import social_writer as writer
from entries.tweet_length import tweet_problem, urls, weighted_length

URL = "https://shiplog.example.com/changelog/octo-org/octo-repo/12/"


@pytest.mark.parametrize("text, length", [
    # twitter-text's own examples (parseTweet, config v3)
    ("english text 日本語 😷 https://example.com", 46),
    ("http://twitter.com/これは日本語です。example.com中国語", 70),
    ("café", 4),
    ("a\r\nb", 3),
])
def test_it_counts_twitter_texts_published_examples(text, length):
    assert weighted_length(text) == length


def test_it_counts_every_link_as_23_however_long():
    long_url = "https://example.com/" + "a" * 200
    assert weighted_length(long_url) == 23
    assert weighted_length("https://x.co") == 23
    assert weighted_length(f"Read more: {URL}") == len("Read more: ") + 23


def test_it_counts_bare_domains_as_links_the_way_x_does():
    assert urls("Docs at shiplog.dev and README.md, not node_modules.js") == ["shiplog.dev", "README.md"]
    assert weighted_length("see www.example.com/path.") == len("see ") + 23 + 1


def test_it_leaves_out_trailing_punctuation_and_keeps_balanced_parentheses():
    assert urls("(see https://en.wikipedia.org/wiki/Foo_(bar)).") == ["https://en.wikipedia.org/wiki/Foo_(bar)"]
    assert urls("Go to https://example.com/a?b=c.") == ["https://example.com/a?b=c"]


def test_it_does_not_count_addresses_without_a_known_top_level_domain_as_links():
    assert urls("http://localhost:8000/x and v1.2.3 and e.g. this") == []
    assert weighted_length("http://localhost:8000/x") == len("http://localhost:8000/x")


@pytest.mark.parametrize("emoji", ["😷", "👍🏽", "🇯🇵", "👨‍👩‍👧‍👦", "1️⃣", "❤️", "🏳️‍🌈"])
def test_it_counts_each_emoji_as_2_however_many_code_points(emoji):
    assert weighted_length(emoji) == 2
    assert weighted_length(f"ok {emoji}") == 5


def test_it_counts_cjk_characters_and_the_ellipsis_as_2():
    assert weighted_length("日本語") == 6
    assert weighted_length("한국어") == 6
    assert weighted_length("…") == 2
    assert weighted_length("“quoted” — dash") == 15


def test_it_accepts_280_and_refuses_281():
    assert tweet_problem("a" * 280) is None
    assert "281" in tweet_problem("a" * 281)
    assert tweet_problem("日" * 140) is None
    assert tweet_problem("日" * 141) is not None
    assert tweet_problem("   ") == "is empty"


# --- threads ---------------------------------------------------------------------------------------

def test_a_short_text_is_one_unnumbered_post_with_the_link():
    posts = writer.thread("We shipped dark mode.", tail=f"Read more: {URL}")

    assert posts == [f"We shipped dark mode.\n\nRead more: {URL}"]


def test_a_long_text_splits_between_sentences_and_numbers_the_posts():
    sentences = [f"Sentence number {n} says something useful about the release and why it matters to you." for n in
                 range(1, 9)]

    posts = writer.thread(" ".join(sentences), tail=f"Read more: {URL}")

    assert len(posts) > 1
    assert all(weighted_length(post) <= 280 for post in posts)
    assert [post.rsplit(" ", 1)[1] for post in posts] == [f"{n}/{len(posts)}" for n in range(1, len(posts) + 1)]
    assert URL in posts[-1] and all(URL not in post for post in posts[:-1])
    kept = " ".join(post.rsplit(" ", 1)[0] for post in posts).replace(f"\n\nRead more: {URL}", "")
    assert kept.split(". ") == " ".join(sentences).split(". ")  # every sentence whole, in order
    assert all(post.rsplit(" ", 1)[0].endswith((".", URL)) for post in posts)


def test_a_sentence_longer_than_a_post_is_cut_between_words():
    sentence = " ".join(["word"] * 120) + "."

    posts = writer.thread(sentence)

    assert len(posts) == 3 and all(weighted_length(post) <= 280 for post in posts)
    assert all(set(post.rsplit(" ", 1)[0].replace(".", "").split()) == {"word"} for post in posts)


def test_cjk_text_is_cut_at_its_sentence_ends_and_counted_double():
    text = "ダークモードを追加しました。" * 25

    posts = writer.thread(text)

    assert len(posts) > 1 and all(weighted_length(post) <= 280 for post in posts)
    assert all(post.rsplit(" ", 1)[0].endswith("。") for post in posts)


def test_numbering_room_is_kept_when_the_count_reaches_two_digits():
    posts = writer.thread(" ".join(f"Point {n} is a sentence of moderate length for the thread test." for n in
                                   range(60)), tail=URL)

    assert len(posts) >= 10
    assert posts[9].endswith(f" 10/{len(posts)}")
    assert all(weighted_length(post) <= 280 for post in posts)


# --- LinkedIn ------------------------------------------------------------------------------------

def material(**fields):
    values = {"product": "octo-repo", "headline": "Add dark mode", "summary": "You can now use dark mode.",
              "details": "Adds a dark theme.", "kind": "feature", "pr_id": 12, "author": "octocat", "url": URL,
              "category": "New"}
    values.update(fields)
    return writer.Material(**values)


def test_a_linkedin_post_has_a_short_hook_first_and_the_link_last():
    post = writer.builtin_linkedin(material(), "professional", ["DarkMode", "NewFeature"])

    hook = writer.first_line(post)
    assert hook == "octo-repo update: You can now use dark mode."
    assert post.split("\n")[1] == ""  # the hook stands alone above "…see more"
    assert post.endswith(URL) and "#DarkMode #NewFeature" in post


def test_a_long_first_sentence_is_shortened_to_fit_above_see_more():
    summary = "You can now " + "really " * 40 + "use dark mode."

    hook = writer.linkedin_hook(material(summary=summary), "casual")

    assert writer.utf16_length(hook) <= writer.LINKEDIN_HOOK_MAX and hook.endswith("…")


def test_a_linkedin_post_never_exceeds_3000_and_keeps_its_link():
    paragraphs = ["This sentence is one of many in a very long paragraph. " * 40] * 3

    post = writer.linkedin_post(hook="Big news.", paragraphs=paragraphs, material=material(), hashtags=["Launch"],
                                tone="excited")

    assert writer.utf16_length(post) <= 3000
    assert post.startswith("Big news.\n\n") and post.endswith(URL)


def test_linkedin_counts_an_emoji_as_two_like_its_composer():
    assert writer.utf16_length("🚀 go") == 5


# --- hashtags ------------------------------------------------------------------------------------

def test_hashtags_come_from_labels_then_category_without_noise():
    labels = ["enhancement", "dark-mode", "good first issue", "type: bug", "dependencies"]

    assert writer.hashtags_for(category="New", labels=labels, platform="linkedin") == ["DarkMode", "NewFeature",
                                                                                       "BugFix"]
    assert writer.hashtags_for(category="New", labels=labels, platform="twitter") == ["DarkMode", "NewFeature"]
    assert writer.hashtags_for(category="Other", labels=[], platform="twitter") == []
