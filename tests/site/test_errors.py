import pytest
from django.urls import path
from rest_framework import serializers
from rest_framework.views import APIView

from changelog_site.domain import Conflict
from changelog_site.kv.records import ValidationError


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)


class Echo(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        NameSerializer(data=request.data).is_valid(raise_exception=True)
        raise Conflict("You are already on the Pro plan.", code="already_pro")


class BadRecord(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        raise ValidationError({"category": "must be one of 'New', 'Fixed'"})


class Private(APIView):
    def get(self, request):
        return None


urlpatterns = [path("api/echo/", Echo.as_view()), path("api/bad-record/", BadRecord.as_view()),
               path("api/private/", Private.as_view())]
pytestmark = pytest.mark.urls("tests.site.test_errors")


def test_it_gives_field_errors_in_the_contract_shape(client):
    response = client.post("/api/echo/", {"name": "x" * 11}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "name" in response.json()["errors"]


def test_it_answers_malformed_json_with_a_400(client):
    response = client.post("/api/echo/", "{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_it_passes_a_service_error_through_with_its_code(client):
    response = client.post("/api/echo/", {"name": "ok"}, content_type="application/json")

    assert response.status_code == 409
    assert response.json() == {"code": "already_pro", "detail": "You are already on the Pro plan."}


def test_it_turns_a_record_validation_error_into_a_400(client):
    response = client.get("/api/bad-record/")

    assert response.status_code == 400
    assert response.json()["errors"] == {"category": "must be one of 'New', 'Fixed'"}


def test_it_answers_an_anonymous_call_with_a_401(client):
    response = client.get("/api/private/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_answers_an_unsupported_method_with_a_405(client):
    response = client.delete("/api/echo/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
