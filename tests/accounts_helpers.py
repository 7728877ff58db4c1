"""A fake GitHub, API tokens and key-space snapshots for the accounts and repos tests (accounts
themselves come from ``tests.factories.make_account``)."""

import json

import responses
from django.conf import settings

from accounts.models import User
from accounts.services import api_token_create
from tests.conftest import load_fixture


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
    """Every key but the rate-limit windows (``rl:``: an API write or a refused webhook counts in
    one, and it expires with its window), so tests compare what an operation wrote to the data."""
    return {key for key in client.keys("*") if not key.startswith("rl:")}


def data_snapshot(client):
    """Every key of ``keyspace`` with its serialized value, to prove a request changed no data."""
    return {key: client.dump(key) for key in keyspace(client)}


__all__ = ["responses"]
