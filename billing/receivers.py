"""Billing's part of an account's profile (``accounts.signals``). Connected in ``BillingConfig.ready``."""

from django.dispatch import receiver

from accounts.signals import account_profile_requested
from billing.models import Usage


@receiver(account_profile_requested)
def profile_usage(sender, user_id, **kwargs):
    return {"usage": Usage(user_id).get()}
