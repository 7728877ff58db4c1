from django.core.management import call_command


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    assert "/api/entries/{entry_id}/publish/" in schema and "personalToken" in schema


def test_the_browsable_docs_are_served(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200 and b"swagger" in response.content.lower()
    assert b"cdn" not in response.content.lower() and b"/static/drf_spectacular_sidecar/" in response.content
