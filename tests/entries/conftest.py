import pytest

from accounts.services import api_token_create
from billing.models import Account
from tests.factories import make_user


@pytest.fixture
def account(django_user_model):
    """Builds a Django user linked to a new ``user:`` record; returns ``(record, django_user, bearer headers)``."""

    def build(plan="free"):
        record = make_user(plan=plan)
        django_user = django_user_model.objects.create_user(username=record.email, email=record.email)
        Account.objects.create(user=django_user, shiplog_user_id=record.id)
        created = api_token_create(django_user=django_user, name="tests")
        token = created[1] if isinstance(created, tuple) else created
        return record, django_user, {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return build


@pytest.fixture
def signed_in(client, account):
    """A dashboard session: ``(client, user record)``."""
    record, django_user, _ = account()
    client.force_login(django_user)
    return client, record
