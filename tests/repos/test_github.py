import pytest
import requests
import responses
from responses import matchers

from repos import github
from tests.accounts_helpers import api
from tests.conftest import load_fixture


def replay_recorded_pages(mock):
    """The recorded paginated exchange, with GitHub's host replaced by the fake one."""
    exchange = load_fixture("github/rest/issues.list-for-repo.paginated.recorded.json")
    for call in exchange:
        headers = {"ETag": call["headers"]["etag"],
                   "Link": call["headers"]["link"].replace("https://api.github.com", api(""))}
        path, _, query = call["path"].partition("?")
        mock.get(api(path), json=call["response"], headers=headers,
                 match=[matchers.query_string_matcher(query)])
    return exchange


def test_it_follows_every_page_of_the_link_header():
    with responses.RequestsMock() as mock:
        exchange = replay_recorded_pages(mock)

        items = github.get_all_pages("/repos/octokit-fixture-org/paginate-issues/issues", "t0ken", {"per_page": 3})

    assert [item["id"] for item in items] == [item["id"] for call in exchange for item in call["response"]]
    assert len(items) == 13


def test_it_sends_the_token_only_in_the_authorization_header():
    with responses.RequestsMock() as mock:
        mock.get(api("/user"), json=load_fixture("github/rest/users.get-authenticated.json"))

        github.get_authenticated_login("t0ken")

        assert mock.calls[0].request.headers["Authorization"] == "Bearer t0ken"
        assert "t0ken" not in mock.calls[0].request.url


def test_it_does_not_follow_a_next_link_to_another_host():
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), json=[], headers={"Link": '<https://evil.test/next>; rel="next"'})

        assert github.get_all_pages("/user/repos", "t0ken") == []


def test_it_reuses_the_cached_page_on_a_304(redis_db):
    repos = load_fixture("github/rest/repos.list-for-authenticated-user.json")
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), json=repos, headers={"ETag": '"v1"'})
        first = github.list_repositories("t0ken", user_id="user_a")
        mock.replace(responses.GET, api("/user/repos"), status=304)

        second = github.list_repositories("t0ken", user_id="user_a")

        assert mock.calls[1].request.headers["If-None-Match"] == '"v1"'
    assert second == first == [{"githubRepoId": 1296269, "name": "octocat/Hello-World", "isPrivate": False,
                                "description": "This your first repo!", "canAdmin": False,
                                "htmlUrl": "https://github.com/octocat/Hello-World"}]


def test_it_explains_a_revoked_token():
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), status=401, json={"message": "Bad credentials"})

        with pytest.raises(github.GitHubError) as raised:
            github.list_repositories("t0ken")

    assert raised.value.kind == "unauthorized"
    assert "Reconnect GitHub" in raised.value.message


def test_it_explains_a_spent_rate_limit_with_the_reset_time():
    import time

    reset = int(time.time()) + 600
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), status=403, json={"message": "API rate limit exceeded for user ID 1."},
                 headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)})

        with pytest.raises(github.GitHubError) as raised:
            github.list_repositories("t0ken")

    assert raised.value.kind == "rate_limited"
    assert 590 <= raised.value.retry_after <= 600
    assert "10 minute" in raised.value.message


def test_it_tells_a_missing_permission_from_a_rate_limit():
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), status=403, json={"message": "Resource not accessible"},
                 headers={"X-RateLimit-Remaining": "4000"})

        with pytest.raises(github.GitHubError) as raised:
            github.list_repositories("t0ken")

    assert raised.value.kind == "forbidden"


def test_it_turns_a_timeout_into_a_clear_error():
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), body=requests.Timeout())

        with pytest.raises(github.GitHubError) as raised:
            github.list_repositories("t0ken")

    assert raised.value.kind == "unavailable"
    assert "in time" in raised.value.message


def test_it_reads_again_after_a_passing_github_failure():
    with responses.RequestsMock() as mock:
        mock.get(api("/user"), status=502)
        mock.get(api("/user"), json=load_fixture("github/rest/users.get-authenticated.json"))

        assert github.get_authenticated_login("t0ken") == "octocat"
        assert len(mock.calls) == 2


def test_it_never_repeats_creating_a_hook():
    with responses.RequestsMock() as mock:
        mock.post(api("/repos/octocat/Hello-World/hooks"), status=502)

        with pytest.raises(github.GitHubError) as raised:
            github.create_hook("t0ken", "octocat/Hello-World", "s3cret")

        assert len(mock.calls) == 1
    assert raised.value.kind == "unavailable"
