from io import StringIO

import pytest
import responses
from cryptography.fernet import Fernet
from django.core.management import call_command

from changelog_site import crypto
from repos.hook_secrets import HookSecret
from repos.models import GitHubToken, Repo
from tests.accounts_helpers import api
from tests.conftest import load_fixture
from tests.factories import GITHUB_TOKEN, make_account

pytestmark = pytest.mark.django_db


def test_it_never_stores_the_plain_token(redis_db):
    record, _, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)

    stored = redis_db.get(f"user:{record.id}:github_token")

    assert stored != GITHUB_TOKEN and GITHUB_TOKEN not in stored
    assert GITHUB_TOKEN not in redis_db.get(f"user:{record.id}")


def test_it_reencrypts_every_secret_under_the_newest_key(redis_db, settings):
    record, _, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    Repo(userId=record.id, name="acme/app", githubRepoId=77, webhookId=5).save()
    HookSecret(77).set("hook-secret")
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()

    call_command("rotate_token_keys", stdout=out)

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert GitHubToken(record.id).get() == GITHUB_TOKEN
    assert HookSecret(77).get() == "hook-secret"
    assert "Re-encrypted 2 secret(s)" in out.getvalue()


def test_it_reencrypts_hook_secrets_of_repositories_no_longer_connected_and_those_left_in_redis(
        redis_db, settings):
    HookSecret(88).set("disconnected repository's secret")
    redis_db.set("idx:hook-secret:99", crypto.encrypt("secret from before SQL"))
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()

    call_command("rotate_token_keys", stdout=out)

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert HookSecret(88).get() == "disconnected repository's secret"
    assert HookSecret(99).get() == "secret from before SQL"
    assert redis_db.keys("idx:hook-secret:*") == []
    assert "Re-encrypted 2 secret(s)" in out.getvalue()


def test_it_reports_a_hook_secret_no_configured_key_opens(redis_db, settings):
    HookSecret(88).set("hook-secret")
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    out, err = StringIO(), StringIO()

    call_command("rotate_token_keys", stdout=out, stderr=err)

    assert "webhook secret of repository 88" in out.getvalue()
    assert "Some secrets could not be decrypted" in err.getvalue()


def test_it_reports_a_secret_no_configured_key_opens(redis_db, settings):
    record, _, _ = make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    out, err = StringIO(), StringIO()

    call_command("rotate_token_keys", stdout=out, stderr=err)

    assert "unreadable" in out.getvalue()
    assert not crypto.is_encrypted(redis_db.get(f"user:{record.id}:github_token"))


def test_it_captures_the_github_oauth_token_encrypted_on_social_login(rf, redis_db):
    from types import SimpleNamespace

    from repos.receivers import github_token_on_login

    record, django_user, _ = make_account(email="alice@example.com")
    sociallogin = SimpleNamespace(user=django_user, account=SimpleNamespace(provider="github"),
                                  token=SimpleNamespace(token="gho_fromOAuth"))

    github_token_on_login(sender=None, request=rf.get("/"), user=django_user, sociallogin=sociallogin)

    assert GitHubToken(record.id).get() == "gho_fromOAuth"
    assert "gho_fromOAuth" not in redis_db.get(f"user:{record.id}:github_token")


def test_it_saves_a_pasted_personal_access_token_encrypted(client, redis_db):
    record, _, _ = make_account(email="alice@example.com")
    client.login(username="alice@example.com", password="correct horse battery")
    with responses.RequestsMock() as mock:
        mock.get(api("/user"), json=load_fixture("github/rest/users.get-authenticated.json"))

        response = client.post("/dashboard/settings/github-token/", {"token": "ghp_pasted123"}, follow=True)

    assert GitHubToken(record.id).get() == "ghp_pasted123"
    assert "GitHub connected as octocat" in response.content.decode()
    assert "ghp_pasted123" not in response.content.decode()


def test_the_onboarding_page_lists_and_searches_the_users_repositories(client, redis_db):
    make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    client.login(username="alice@example.com", password="correct horse battery")
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), json=load_fixture("github/rest/repos.list-for-authenticated-user.json"))

        found = client.get("/onboarding/?q=hello").content.decode()
        missing = client.get("/onboarding/?q=nothing-like-it").content.decode()

    assert "octocat/Hello-World" in found
    assert "octocat/Hello-World" not in missing and "No repository matches" in missing


def test_the_onboarding_page_explains_a_revoked_token(client, redis_db):
    make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    client.login(username="alice@example.com", password="correct horse battery")
    with responses.RequestsMock() as mock:
        mock.get(api("/user/repos"), status=401, json={"message": "Bad credentials"})

        page = client.get("/onboarding/").content.decode()

    assert "Reconnect GitHub" in page


def test_the_dashboard_shows_every_section_in_its_navigation(client, redis_db):
    make_account(email="alice@example.com", github_token=GITHUB_TOKEN)
    client.login(username="alice@example.com", password="correct horse battery")

    page = client.get("/dashboard/").content.decode()

    for label in ("Drafts", "Published", "Repositories", "Widget", "Subscribers", "Roadmap", "Analytics",
                  "Billing", "Settings"):
        assert f">{label}</a>" in page
    assert client.get("/dashboard/roadmap/").status_code == 200


def test_the_dashboard_needs_a_login(client):
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


def test_the_demo_command_loads_a_populated_account_once(redis_db):
    from entries.models import Entry

    call_command("demo", stdout=StringIO())
    call_command("demo", stdout=StringIO())

    from accounts.models import Account
    user_id = Account.objects.get(user__email="demo@shiplog.local").shiplog_user_id
    assert [repo.name for repo in Repo.for_user(user_id)] == ["shiplog-demo/acme-app"]
    assert Entry.count(user_id, "published") == 4
    assert Entry.count(user_id, "draft") == 3
