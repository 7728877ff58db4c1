"""The API's error contract: Bearer challenges on 401, error responses in
the OpenAPI schema, and strict input validation."""

import pytest

from tests.factories import make_entry

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.mark.parametrize("header", ["Bearer shp_not_a_real_token", "Bearer a b", "Bearer "])
def test_it_challenges_with_bearer_on_an_invalid_token(client, header):
    response = client.get("/api/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_challenges_with_bearer_without_credentials(client):
    response = client.delete("/api/entries/ent_x/")

    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"


def _operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation["responses"]


def test_it_declares_the_error_responses_on_every_operation(client):
    operations = list(_operations(client))

    assert len(operations) >= 10
    for path, method, responses in operations:
        expected = {"400", "401", "404", "429", "503"} | ({"403", "409", "413"} if method != "GET" else set())
        assert expected <= set(responses), (method, path)
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"]["$ref"] == ERROR_REF
        assert "Retry-After" in responses["429"]["headers"] and "WWW-Authenticate" in responses["401"]["headers"]


def test_it_declares_402_where_a_plan_limit_applies(client):
    responses = {(path, method): found for path, method, found in _operations(client)}

    assert "402" in responses[("/api/entries/{entry_id}/publish/", "POST")]
    assert "402" in responses[("/api/entries/{entry_id}/rewrite/", "POST")]
    assert "402" not in responses[("/api/me/", "GET")]


def test_it_describes_the_error_shape(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "detail"] and set(error["properties"]) == {"code", "detail", "errors"}


@pytest.mark.parametrize("field, value", [("title", 123), ("title", True), ("body", 4.5), ("aiRewrite", ["x"])])
def test_it_refuses_a_non_string_for_a_text_field(client, account, field, value):
    record, _, auth = account()
    entry = make_entry(record, title="Kept")

    response = client.patch(f"/api/entries/{entry.id}/", data={field: value}, content_type="application/json",
                            **auth)

    assert response.status_code == 400 and field in response.json()["errors"]
    assert client.get(f"/api/entries/{entry.id}/", **auth).json()["title"] == "Kept"


def test_it_refuses_a_non_string_repository_name(client, account):
    _, _, auth = account()

    response = client.post("/api/repos/", data={"name": 42}, content_type="application/json", **auth)

    assert response.status_code == 400 and "name" in response.json()["errors"]


@pytest.mark.parametrize("parameter", ["status", "category", "limit", "repo"])
def test_it_refuses_an_empty_query_parameter(client, account, parameter):
    _, _, auth = account()

    response = client.get(f"/api/entries/?{parameter}=", **auth)

    assert response.status_code == 400 and parameter in response.json()["errors"]


def test_it_still_treats_an_empty_cursor_as_the_first_page(client, account):
    record, _, auth = account()
    make_entry(record)

    response = client.get("/api/entries/?cursor=", **auth)

    assert response.status_code == 200 and len(response.json()["results"]) == 1
