"""allauth hooks: every new Django account gets its ``user:{userId}`` record in the same step."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.urls import reverse

from accounts.services import account_signup, location_default, shiplog_user_id
from repos.models import Repo

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
        if request.user.is_authenticated and not Repo.for_user(shiplog_user_id(request.user, request)):
            return reverse("onboarding")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return reverse("onboarding")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request, sociallogin, form=None):
        save = super().save_user
        setattr(request, SOCIAL_SIGNUP_FLAG, True)
        try:
            django_user, _ = account_signup(create_django_user=lambda: save(request, sociallogin, form),
                                            email=sociallogin.user.email, location=location_default(request))
        finally:
            delattr(request, SOCIAL_SIGNUP_FLAG)
        return django_user
