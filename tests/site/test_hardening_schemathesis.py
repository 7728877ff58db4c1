"""Property-based fuzzing of the API from its own OpenAPI schema.

Schemathesis loads ``/api/schema/`` through the WSGI app and, for every operation, sends a bounded
number of generated requests (valid ones and ones that break the schema, deterministic from run to
run; ``SCHEMATHESIS_EXAMPLES`` raises the count for a deeper local run) with a seeded account's
Bearer token. Half the path ids are the seeded account's own records, so the operations run on
real data and not only into 404s. Every answer must be a non-5xx status the schema declares, with
the declared content type, headers and body.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from tests.factories import make_entry, make_repo

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def seed(account):
    """Builds a fresh account with a repository, a draft and a published entry (each operation gets
    its own, so one that deletes the account or an entry leaves the others theirs):
    ``(bearer headers, path ids)``."""

    def build():
        record, _, auth = account()
        make_repo(record)
        draft = make_entry(record)
        make_entry(record, status="published", publishedAt="2026-03-10T10:00:00Z")
        ids = {"entry_id": draft.id, "owner": "octo-org", "repo": "octo-repo"}
        return {"Authorization": auth["HTTP_AUTHORIZATION"]}, ids

    return build


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


def test_the_api_answers_every_generated_request_as_its_schema_says(seed):
    operations = _operations()

    assert len(operations) >= 10
    for operation in operations:
        headers, ids = seed()

        @given(case=st.one_of(operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)),
               use_seeded_ids=st.booleans())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case, use_seeded_ids):
            if use_seeded_ids and case.path_parameters:
                case.path_parameters = {name: ids.get(name, value) for name, value in case.path_parameters.items()}
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
