"""Schemathesis over the whole OpenAPI document, with a read-and-respond token: every operation, with generated
and real path parameters, never answers 500 and always answers as the document says. A short budget here;
`make fuzz-api` runs a longer one (FUZZ_API_EXAMPLES)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_for
from tests.responses.conftest import make_alert

EXAMPLES = int(os.environ.get("FUZZ_API_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def fuzzing(db, settings, lee, trust_a, trust_b, csoc):
    settings.API_REQUESTS_PER_MINUTE = 1_000_000
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    alert = make_alert(organisations=[trust_a, trust_b])
    # As Django's test client does: the WSGI handler would otherwise close the test's database connection (and
    # with it the test's transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"token": token_for(lee, [trust_a, trust_b]), "threat_id": alert.threat_id, "ods_code": "RAA"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_conforms_and_never_fails(case, fuzzing):
    headers = {"Authorization": f"Bearer {fuzzing['token']}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
    # The same generated query and body against a real alert and organisation, to reach the services.
    real = {name: fuzzing[name] for name in ("threat_id", "ods_code") if name in (case.path_parameters or {})}
    if real:
        case.path_parameters = {**case.path_parameters, **real}
        case.call_and_validate(headers=headers, checks=CHECKS)
