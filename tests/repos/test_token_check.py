"""A GitHub token saved while GitHub is unreachable shows "not verified yet" and is checked again later."""

import pytest
import requests
import responses

from repos.models import GitHubToken
from repos.services import github_token_delete, github_token_save
from repos.tasks import github_tokens_verify_task
from repos.token_check import github_token_status

pytestmark = pytest.mark.django_db

USER_API = "https://github.test/api/user"
UNVERIFIED = "meta:github-tokens-unverified"


def save_while_github_is_down(client):
    with responses.RequestsMock() as github:
        for _ in range(5):
            github.get(USER_API, body=requests.ConnectionError("GitHub is down"))
        github.assert_all_requests_are_fired = False
        return client.post("/dashboard/settings/github-token/", {"token": "ghp_saved"}, follow=True)


def test_a_token_saved_while_github_is_unreachable_is_not_verified_yet(signed_in, redis_db):
    client, me = signed_in

    page = save_while_github_is_down(client).content.decode()

    assert GitHubToken(me.id).get() == "ghp_saved"
    assert "not verified yet" in page and ">connected<" not in page
    assert github_token_status(user_id=me.id)["state"] == "unverified"
    assert redis_db.smembers(UNVERIFIED) == {me.id}
    assert "not verified yet" in client.get("/dashboard/").content.decode()


def test_the_beat_task_verifies_it_once_github_answers(signed_in, redis_db):
    client, me = signed_in
    save_while_github_is_down(client)

    with responses.RequestsMock() as github:
        github.get(USER_API, json={"login": "octocat"})
        counts = github_tokens_verify_task()

    assert counts["verified"] == 1
    assert github_token_status(user_id=me.id)["login"] == "octocat" and redis_db.smembers(UNVERIFIED) == set()
    assert "connected as <strong>octocat</strong>" in client.get("/dashboard/settings/").content.decode()


def test_a_refused_token_says_so_and_leaves_the_sweep(signed_in, redis_db):
    client, me = signed_in

    with responses.RequestsMock() as github:
        github.get(USER_API, status=401, json={"message": "Bad credentials"})
        page = client.post("/dashboard/settings/github-token/", {"token": "ghp_bad"}, follow=True).content.decode()

    assert "GitHub refused it" in page and github_token_status(user_id=me.id)["state"] == "refused"
    assert redis_db.smembers(UNVERIFIED) == set()


def test_check_again_asks_github_now(signed_in):
    client, me = signed_in
    save_while_github_is_down(client)

    with responses.RequestsMock() as github:
        github.get(USER_API, json={"login": "octocat"})
        page = client.post("/dashboard/settings/github-token/verify/", follow=True).content.decode()

    assert "GitHub connected as octocat" in page


def test_a_token_saved_before_checks_existed_joins_the_sweep(signed_in, redis_db):
    _, me = signed_in
    GitHubToken(me.id).set("ghp_legacy")

    assert github_token_status(user_id=me.id)["state"] == "unverified"
    assert redis_db.smembers(UNVERIFIED) == {me.id}


def test_an_oauth_token_is_verified_and_removing_it_forgets_the_check(signed_in, redis_db):
    _, me = signed_in
    github_token_save(user_id=me.id, token="gho_oauth", verified_login="octocat")
    assert github_token_status(user_id=me.id)["state"] == "verified"

    github_token_delete(user_id=me.id)

    assert github_token_status(user_id=me.id) is None
    assert redis_db.keys("meta:github-token*") == []
