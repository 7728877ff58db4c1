"""Signed-up accounts and a fake GitHub for the accounts and repos tests."""

import json

import responses
from django.conf import settings

from accounts.services import account_signup, api_token_create
from billing.models import User
from repos.models import GitHubToken
from tests.conftest import load_fixture

GITHUB_TOKEN = "gho_plaintextTokenForTests0123456789"


def signup(email="alice@example.com", location="intl", github_token=GITHUB_TOKEN):
    """A Django account with its user record (and, by default, a stored GitHub token)."""
    from django.contrib.auth import get_user_model

    def create():
        return get_user_model().objects.create_user(username=email, email=email, password="correct horse battery")

    django_user, record = account_signup(create_django_user=create, email=email, location=location)
    if github_token:
        GitHubToken(record.id).set(github_token)
    return django_user, record


def bearer(django_user):
    _, token = api_token_create(django_user=django_user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def api(path):
    return settings.GITHUB_API_URL + path


def repository(full_name="octocat/Hello-World", repo_id=1296269, admin=True, private=False):
    data = load_fixture("github/rest/repos.list-for-authenticated-user.json")[0]
    owner, name = full_name.split("/")
    data = dict(data, id=repo_id, full_name=full_name, name=name, private=private,
                permissions={"admin": admin, "push": admin, "pull": True})
    data["owner"] = dict(data["owner"], login=owner)
    return data


def fake_repository(mock, full_name="octocat/Hello-World", repo_id=1296269, admin=True, hook_id=1):
    mock.get(api(f"/repos/{full_name}"), json=repository(full_name, repo_id, admin))
    return mock.post(api(f"/repos/{full_name}/hooks"), status=201,
                     json={"id": hook_id, "type": "Repository", "name": "web", "active": True,
                           "events": ["pull_request", "issues", "release", "repository"],
                           "config": {"url": "http://testserver/api/github/sync", "content_type": "json",
                                      "insecure_ssl": "0"}})


def user_record(user_id):
    return json.loads(User.get(user_id).dumps())


def keyspace(client):
    """Every key but the rate-limit windows (``rl:``: an API write counts in one, and it expires
    with its window), so tests compare what an operation wrote to the data."""
    return {key for key in client.keys("*") if not key.startswith("rl:")}


__all__ = ["responses"]
