import fakeredis
import pytest
from django.urls import path
from rest_framework.views import APIView

from changelog_site.kv import client as kv


def down_client():
    server = fakeredis.FakeServer()
    server.connected = False
    return fakeredis.FakeRedis(server=server, decode_responses=True)


class NeedsRedis(APIView):
    authentication_classes = []
    permission_classes = []

    def get(self, request):
        kv.get_client().get("anything")


urlpatterns = [path("api/needs-redis/", NeedsRedis.as_view())]


def test_it_reports_ok_when_redis_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'


def test_it_reports_503_with_retry_after_when_redis_is_down(client):
    with kv.use_client(down_client()):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"]


def test_it_tells_the_public_only_up_or_down(client):
    with kv.use_client(down_client()):
        response = client.get("/healthz")

    assert response.content == b'{"status":"unavailable"}'


@pytest.mark.urls("tests.site.test_health")
def test_it_answers_api_calls_with_a_json_503_when_redis_is_down(client):
    with kv.use_client(down_client()):
        response = client.get("/api/needs-redis/")

    assert response.status_code == 503
    assert response.json() == {"code": "storage_unavailable",
                               "detail": "The data store is unreachable; try again shortly."}
    assert response["Retry-After"] == "5"
