"""allauth hooks: every new Django account gets its ``user:{userId}`` record in the same step, and
a login made outside signup that signs in with GitHub gets its account then (``account_create``)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.urls import reverse

from accounts.models import Account
from accounts.services import account_create, account_profile, account_signup, location_default
from changelog_site.domain import NotFound

SOCIAL_SIGNUP_FLAG = "_shiplog_social_signup"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        save = super().save_user
        if not commit or getattr(request, SOCIAL_SIGNUP_FLAG, False):
            return save(request, user, form, commit=commit)
        django_user, _ = account_signup(create_django_user=lambda: save(request, user, form),
                                        email=user.email, location=location_default(request))
        return django_user

    def get_login_redirect_url(self, request):
        """Onboarding until the account has a repository connected."""
        user_id = Account.objects.user_id_of(request.user) if request.user.is_authenticated else None
        try:
            if user_id and not account_profile(user_id=user_id)["repos"]:
                return reverse("onboarding")
        except NotFound:  # the user record is gone: the dashboard explains
            pass
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return reverse("onboarding")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        """An existing login (``createsuperuser``, the admin) signing in with GitHub gets its
        Shiplog account here, so the token GitHub issues is saved with it."""
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing:
            account_create(django_user=sociallogin.user, location=location_default(request))

    def save_user(self, request, sociallogin, form=None):
        save = super().save_user
        setattr(request, SOCIAL_SIGNUP_FLAG, True)
        try:
            django_user, _ = account_signup(create_django_user=lambda: save(request, sociallogin, form),
                                            email=sociallogin.user.email, location=location_default(request))
        finally:
            delattr(request, SOCIAL_SIGNUP_FLAG)
        return django_user
