"""Repos' receivers: the GitHub token of a "Sign in with GitHub", its part of an account's profile
and deletion (``accounts.signals``), and the webhook secrets ``kv_reindex`` carries over from Redis.
Connected in ``ReposConfig.ready``."""

from allauth.account.signals import user_logged_in
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver

from accounts.models import Account
from accounts.signals import account_deleting, account_profile_requested
from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.reindex import reindex_finished
from repos.hook_secrets import hook_secrets_import_from_redis
from repos.models import GitHubToken, Repo
from repos.services import github_token_save, repo_disconnect


def _capture(user, sociallogin):
    """Save the token GitHub just issued for this login, encrypted and verified already. A login
    without a Shiplog account yet gets it once the account is created (signup runs first)."""
    if sociallogin is None or sociallogin.account.provider != "github":
        return
    token = getattr(sociallogin.token, "token", None) if sociallogin.token else None
    user_id = Account.objects.user_id_of(user) if token and user is not None and user.pk else None
    if user_id:
        login = (getattr(sociallogin.account, "extra_data", None) or {}).get("login") or ""
        github_token_save(user_id=user_id, token=token, verified_login=login or None)


@receiver(user_logged_in)
def github_token_on_login(sender, request, user, **kwargs):
    _capture(user, kwargs.get("sociallogin"))


@receiver(social_account_added)
@receiver(social_account_updated)
def github_token_on_connect(sender, request, sociallogin, **kwargs):
    _capture(sociallogin.user, sociallogin)


@receiver(account_profile_requested)
def profile_github_and_repositories(sender, user_id, **kwargs):
    return {"githubConnected": GitHubToken(user_id).exists(),
            "repos": sorted(kv.get_client().smembers(keys.idx_user_repos(user_id)), key=str.lower)}


@receiver(account_deleting)
def repositories_disconnect(sender, user_id, **kwargs):
    """Disconnect every repository before the account goes, removing the webhooks no other user
    needs; a GitHub failure (a revoked token) leaves the webhook rather than keeping the account."""
    for repo in Repo.for_user(user_id):
        repo_disconnect(user_id=user_id, name=repo.name, strict=False)


@receiver(reindex_finished, dispatch_uid="repos.hook_secrets")
def hook_secrets_carry_to_sql(sender, reindexer, **kwargs):
    """``kv_reindex`` carries webhook secrets older versions kept in Redis over to SQL."""
    carried = hook_secrets_import_from_redis(reindexer.scan)
    if carried:
        reindexer.count("carried:hook-secret", carried)
