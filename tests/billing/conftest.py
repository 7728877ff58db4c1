import pytest

from tests.billing.dodo_helpers import SECRET

DODO_API = "https://dodo.test"


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
