"""Account and plan operations."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from billing.models import Account, Usage, current_month


def account_link(*, user_id, email):
    """Make sure a Django account is linked to ``user:{userId}``; returns ``(account, action)``.

    ``action`` is ``"kept"`` (already linked), ``"linked"`` (an account with that email existed
    and had no Shiplog id) or ``"created"`` (a new account with no usable password: its owner
    signs in with GitHub or sets a password through "forgot password"). An email already linked
    to another userId is left alone: ``(None, "conflict")``.
    """
    existing = Account.objects.select_related("user").filter(shiplog_user_id=user_id).first()
    if existing:
        return existing, "kept"
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is not None:
            if Account.objects.filter(user=user).exists():
                return None, "conflict"
            action = "linked"
        else:
            user = User(username=_free_username(email or user_id), email=email or "")
            user.set_unusable_password()
            user.save()
            action = "created"
        account = Account.objects.create(user=user, shiplog_user_id=user_id)
        if email:
            EmailAddress.objects.get_or_create(user=user, email=email.lower(),
                                               defaults={"primary": True, "verified": False})
    return account, action


def _free_username(wanted):
    User = get_user_model()
    base = wanted[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def plan_limits(*, user):
    """The monthly limits of ``user``'s plan (a ``billing.models.User``): None means unlimited."""
    return settings.PLAN_LIMITS.get(user.plan if user else "free", settings.PLAN_LIMITS["free"])


def usage_summary(*, user):
    """This month's usage beside the plan's limits, as the dashboard card and /api/usage/ show it."""
    used = Usage(user.id).get()
    limits = plan_limits(user=user)
    return {
        "plan": user.plan,
        "month": current_month(),
        "usage": used,
        "limits": limits,
        "remaining": {name: None if limits[name] is None else max(0, limits[name] - used[name]) for name in used},
    }
