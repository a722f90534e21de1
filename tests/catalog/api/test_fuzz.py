"""Schema-driven fuzzing of every ``/api/v1/`` operation with Schemathesis.

The schema is the one the app serves. For each operation Schemathesis generates requests
(valid and invalid parameters) and checks every answer: no 5xx, the status code and the
content type are declared for the operation, and the body matches the declared schema. It runs
once anonymously and once as a signed-in grant holder, over a catalogue holding resources of
every tier, so both the 200 bodies and the 4xx bodies are exercised. Bounded and deterministic:
at most ``MAX_EXAMPLES`` generated cases per operation (plus Schemathesis' coverage cases).
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import VARIANTS

MAX_EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema = schema.include(path_regex="^/api/v1/")


@pytest.fixture(params=["anonymous", "grantee"])
def cookies(request, world, client, make_resource):
    """A catalogue with every tier and grade, and the caller's session cookie (if any)."""
    for variant in VARIANTS:
        make_resource(variant)
    if request.param == "anonymous":
        return {}
    client.force_login(world.users[request.param])
    return {"sessionid": client.cookies["sessionid"].value}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    # Generated cases share the function-scoped catalogue on purpose: the API is read-only.
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, cookies):
    case.call_and_validate(checks=CHECKS, cookies=cookies)
