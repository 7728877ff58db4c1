"""Capture GitHub's OAuth token, encrypted, whenever a user signs in with or connects GitHub."""

from allauth.account.signals import user_logged_in
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver

from accounts.services import shiplog_user_id
from repos.services import github_token_save


def _capture(request, user, sociallogin):
    if sociallogin is None or sociallogin.account.provider != "github":
        return
    token = getattr(sociallogin.token, "token", None) if sociallogin.token else None
    if token and user is not None and user.pk:
        # GitHub just issued this token for this login: verified without asking again
        login = (getattr(sociallogin.account, "extra_data", None) or {}).get("login") or ""
        github_token_save(user_id=shiplog_user_id(user, request), token=token, verified_login=login or None)


@receiver(user_logged_in)
def github_token_on_login(sender, request, user, **kwargs):
    _capture(request, user, kwargs.get("sociallogin"))


@receiver(social_account_added)
@receiver(social_account_updated)
def github_token_on_connect(sender, request, sociallogin, **kwargs):
    _capture(request, sociallogin.user, sociallogin)
