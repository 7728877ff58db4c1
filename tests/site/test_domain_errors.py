"""Every domain error is mapped to HTTP in one place (changelog_site/errors.py): its status and the
contract's JSON for the API (DRF views and plain views alike), a friendly page for pages."""

import inspect

import pytest
from django.urls import path
from rest_framework.views import APIView

from changelog_site import domain
from changelog_site.errors import STATUSES
from changelog_site.urls import urlpatterns as site_urlpatterns

EXPECTED = [
    (domain.ValidationFailed("The name is too long.", errors={"name": "at most 10 characters"}), 400, "invalid"),
    (domain.Unauthenticated("The signature does not match.", code="invalid_signature"), 401, "invalid_signature"),
    (domain.PlanLimitReached(what="entriesPublished", limit=10, used=10), 402, "plan_limit_reached"),
    (domain.Forbidden("Connecting needs admin rights."), 403, "forbidden"),
    (domain.NotFound("No such entry."), 404, "not_found"),
    (domain.Conflict("The entry changed while saving."), 409, "conflict"),
    (domain.Gone("The widget is switched off.", code="widget_disabled"), 410, "widget_disabled"),
    (domain.PayloadTooLarge("At most 1 MB."), 413, "payload_too_large"),
    (domain.UnsupportedMediaType("Send JSON."), 415, "unsupported_media_type"),
    (domain.RateLimited(retry_after=42), 429, "rate_limited"),
    (domain.ProviderFailed("DodoPayments answered 500.", code="payment_provider_error"), 502,
     "payment_provider_error"),
    (domain.ServiceNotConfigured("Payments are not configured.", code="billing_not_configured"), 503,
     "billing_not_configured"),
    (domain.GitHubUnavailable(retry_after=30), 503, "github_unavailable"),
    (domain.StorageUnavailable(retry_after=30), 503, "storage_unavailable"),
]
IDS = [type(error).__name__ for error, _, _ in EXPECTED]
raised = {}


class Raising(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise raised["error"]


def raising_page(request):
    raise raised["error"]


urlpatterns = [path("api/raising/", Raising.as_view()), path("api/raising-plain/", raising_page),
               path("raising/", raising_page), *site_urlpatterns]
pytestmark = pytest.mark.urls("tests.site.test_domain_errors")


@pytest.fixture
def raising():
    def arm(error):
        raised["error"] = error

    yield arm
    raised.clear()


def test_it_has_a_status_for_every_domain_error():
    classes = [value for value in vars(domain).values()
               if inspect.isclass(value) and issubclass(value, domain.DomainError) and value is not domain.DomainError]

    assert sorted(cls.__name__ for cls in classes if cls not in STATUSES) == []


@pytest.mark.parametrize(("error", "status", "code"), EXPECTED, ids=IDS)
def test_it_answers_the_api_with_the_status_and_the_contracts_json(client, raising, error, status, code):
    raising(error)

    response = client.get("/api/raising/")

    assert response.status_code == status
    body = response.json()
    assert (body["code"], body["detail"]) == (code, error.detail)
    assert set(body) <= {"code", "detail", "errors"}


@pytest.mark.parametrize(("error", "status", "code"), EXPECTED, ids=IDS)
def test_it_answers_a_plain_api_view_the_same_way(client, raising, error, status, code):
    raising(error)

    response = client.get("/api/raising-plain/")

    assert (response.status_code, response.json()["code"]) == (status, code)


@pytest.mark.parametrize(("error", "status", "code"), [case for case in EXPECTED if case[1] != 404],
                         ids=[name for name, case in zip(IDS, EXPECTED) if case[1] != 404])
def test_it_shows_a_page_with_the_status_and_what_went_wrong(client, raising, error, status, code):
    raising(error)

    response = client.get("/raising/", HTTP_ACCEPT="text/html")

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert error.detail in response.content.decode()


def test_it_shows_the_not_found_page_for_not_found(client, raising):
    raising(domain.NotFound("No such entry."))

    response = client.get("/raising/", HTTP_ACCEPT="text/html")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert [template.name for template in response.templates][:1] == ["404.html"]


def test_it_says_when_to_try_again_where_waiting_helps(client, raising):
    raising(domain.RateLimited(retry_after=42))

    api, page = client.get("/api/raising/"), client.get("/raising/")

    assert api["Retry-After"] == page["Retry-After"] == "42"
    assert api.json()["detail"] == "Too many requests; try again in 42 seconds."


def test_it_tells_api_clients_where_to_upgrade_past_a_plan_limit(client, raising):
    raising(domain.PlanLimitReached(what="aiRewrites", limit=5, used=5))

    body = client.get("/api/raising/").json()

    assert body["errors"] == {"limit": 5, "usage": 5, "upgradeUrl": "http://testserver/dashboard/billing/"}
    assert body["detail"].startswith("Your plan allows 5 AI rewrites a month")


def test_it_names_the_fields_of_a_validation_failure(client, raising):
    raising(domain.ValidationFailed(errors={"name": "at most 10 characters"}))

    body = client.get("/api/raising/").json()

    assert body == {"code": "invalid", "detail": "Some fields are invalid.", "errors": {"name": "at most 10 characters"}}
