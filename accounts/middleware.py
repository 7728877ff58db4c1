"""``request.shiplog_user_id``: the userId of the signed-in Django user, read from its ``Account``
link when a view first asks, never written.

A login with no link (made by ``createsuperuser`` or in the admin) raises ``AccountNotLinked``:
pages answer with "no Shiplog account yet" and a button that creates it (``account_create``), the
API with 403 ``account_not_linked``. Anonymous requests read None.
"""

from functools import cache

from django.shortcuts import render

from accounts.models import Account
from changelog_site.domain import Forbidden
from changelog_site.middleware import wants_json


class AccountNotLinked(Forbidden):
    code = "account_not_linked"
    default_detail = ("This login has no Shiplog account yet. Sign in on the website and choose "
                      "“Create my Shiplog account”, or run `python manage.py api_token EMAIL --create`.")


class IdentifiedRequest:
    """Mixed into the request's class by ``ShiplogUserMiddleware``, so ``shiplog_user_id`` is
    read only when asked: after DRF has authenticated an API token (DRF's request hands unknown
    attributes to Django's, whose ``user`` it sets) and not at all on pages that do not ask."""

    @property
    def shiplog_user_id(self):
        user = getattr(self, "user", None)
        if user is None or not user.is_authenticated:
            return None
        link = self.__dict__.get("_shiplog_link")
        if link is None or link[0] != user.pk:  # another user signed in or out meanwhile
            link = self._shiplog_link = (user.pk, Account.objects.user_id_of(user))
        if link[1] is None:
            raise AccountNotLinked()
        return link[1]


@cache
def _identified(request_class):
    return type(request_class.__name__, (IdentifiedRequest, request_class), {})


class ShiplogUserMiddleware:
    """After ``AuthenticationMiddleware``; last in ``MIDDLEWARE`` so its ``process_exception``
    answers ``AccountNotLinked`` on pages before the generic error page does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.__class__ = _identified(type(request))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AccountNotLinked) and not wants_json(request):
            return render(request, "accounts/not_linked.html", {"title": "Create your Shiplog account",
                                                                 "next": request.get_full_path()}, status=403)
        return None
