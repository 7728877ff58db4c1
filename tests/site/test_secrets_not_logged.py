"""No secret reaches the logs: every logger at DEBUG (SQL statements with their parameters too) and
the process's stdout/stderr are captured through a whole account's life, and searched."""

import json
import logging
import re

import pytest
import responses
from django.core import mail
from django.db import connection

from accounts.models import Account, ApiToken
from tests.accounts_helpers import api, fake_repository
from tests.billing.dodo_helpers import SECRET as DODO_WEBHOOK_SECRET
from tests.billing.dodo_helpers import deliver as deliver_dodo
from tests.billing.dodo_helpers import subscription_event
from tests.webhook_helpers import deliver as deliver_github
from tests.webhook_helpers import fixture_bytes

PASSWORD = "Sign-up passphrase 4711"
GITHUB_TOKEN = "ghp_SecretGitHubTokenValue0123456789ab"
GLOBAL_HOOK_SECRET = "global-hook-secret-9f8e7d6c5b4a"
DODO_API_KEY = "dodo_live_key_that_must_stay_secret"
REPO, GITHUB_REPO_ID = "sish8075/statistics-source", 436929436


@pytest.fixture
def every_logger_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True  # django.db.backends logs every statement with its parameters
    yield caplog
    connection.force_debug_cursor = False


@pytest.mark.django_db
def test_it_logs_no_password_token_or_secret_from_signup_to_billing(client, settings, every_logger_at_debug, capfd):
    settings.GITHUB_WEBHOOK_SECRET = GLOBAL_HOOK_SECRET
    settings.DODO_WEBHOOK_SECRET = DODO_WEBHOOK_SECRET
    settings.DODO_API_KEY = DODO_API_KEY

    signed_up = client.post("/accounts/signup/", {"email": "owner@example.com", "password1": PASSWORD,
                                                  "password2": PASSWORD})
    assert signed_up.status_code == 302 and mail.outbox
    account = Account.objects.get(user__email="owner@example.com")
    client.force_login(account.user)

    with responses.RequestsMock() as github:
        github.get(api("/user"), json={"login": "owner"})
        saved = client.post("/dashboard/settings/github-token/", {"token": GITHUB_TOKEN})
        hook = fake_repository(github, full_name=REPO, repo_id=GITHUB_REPO_ID)
        connected = client.post("/api/repos/", json.dumps({"name": REPO}), content_type="application/json")
        hook_secret = json.loads(hook.calls[0].request.body)["config"]["secret"]
    assert saved.status_code == 302 and connected.status_code == 201, connected.content

    delivered = deliver_github(client, "pull_request", fixture_bytes("pull_request.closed.merged"),
                               secret=hook_secret)
    assert delivered.status_code in (200, 202), delivered.content

    created = client.post("/dashboard/settings/api-tokens/", {"name": "ci"})
    prefix = ApiToken.objects.get(user=account.user, name="ci").prefix
    api_token = re.search(re.escape(prefix) + r"[A-Za-z0-9_-]+", created.content.decode()).group(0)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}
    entry_id = client.get("/api/entries/?status=draft", **bearer).json()["results"][0]["id"]
    assert client.post(f"/api/entries/{entry_id}/publish/", **bearer).status_code == 200

    billed = deliver_dodo(client, subscription_event("subscription.active", user_id=account.shiplog_user_id))
    assert billed.status_code == 200, billed.content

    captured = capfd.readouterr()
    output = "\n".join([every_logger_at_debug.text, captured.out, captured.err,
                        *(record.getMessage() for record in every_logger_at_debug.records)])
    secrets = {"password": PASSWORD, "GitHub token": GITHUB_TOKEN, "hook secret": hook_secret,
               "global hook secret": GLOBAL_HOOK_SECRET, "API token": api_token, "Dodo API key": DODO_API_KEY,
               "Dodo webhook secret": DODO_WEBHOOK_SECRET, "SECRET_KEY": settings.SECRET_KEY,
               **{f"token encryption key {n}": key for n, key in enumerate(settings.TOKEN_ENCRYPTION_KEYS)}}
    assert "INSERT" in output  # the statements were captured, parameters included
    assert [name for name, value in secrets.items() if value in output] == []
