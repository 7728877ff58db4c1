import pytest

from accounts.services import api_token_create
from billing.models import Account
from tests.billing.dodo_helpers import SECRET
from tests.factories import make_user

DODO_API = "https://dodo.test"


@pytest.fixture
def account(django_user_model):
    """Builds a Django user linked to a new ``user:`` record; returns ``(record, django_user, bearer headers)``."""

    def build(**fields):
        record = make_user(**fields)
        django_user = django_user_model.objects.create_user(username=record.email, email=record.email)
        Account.objects.create(user=django_user, shiplog_user_id=record.id)
        _, token = api_token_create(django_user=django_user, name="tests")
        return record, django_user, {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return build


@pytest.fixture
def signed_in(client, account):
    """A dashboard session: ``(client, user record)``."""
    record, django_user, _ = account()
    client.force_login(django_user)
    return client, record


@pytest.fixture
def dodo_secret(settings):
    settings.DODO_WEBHOOK_SECRET = SECRET
    return SECRET


@pytest.fixture
def dodo_api(settings):
    """Dodo's REST API configured against a local fake (``responses``), with products per location."""
    settings.DODO_API_URL = DODO_API
    settings.DODO_API_KEY = "dodo_test_key_123"
    settings.DODO_PRO_PRODUCTS = {
        "in": {"productId": "pdt_ProINR01", "currency": "INR", "price": "749"},
        "intl": {"productId": "pdt_ProUSD01", "currency": "USD", "price": "9"},
    }
    return DODO_API
