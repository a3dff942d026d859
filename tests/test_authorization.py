"""Who can open which page: one row per URL, one column per role.

Roles: anonymous; bob responds for Trust A; alice administers Trust A; charlie administers Trust B;
an auditor; CSOC staff. Add a row for every new page (and a column when a new role appears).
"""

from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

SIGN_IN = "sign in"  # redirected to the sign-in page


class Row(NamedTuple):
    name: str
    kwargs: dict
    anonymous: int | str
    bob: int | str
    alice: int | str
    charlie: int | str
    auditor: int | str
    csoc: int | str


ROLES = ("anonymous", "bob", "alice", "charlie", "auditor", "csoc")

# fmt: off
ACCESS = [
    #    url name                   kwargs                  anonymous bob  alice charlie auditor csoc
    Row("home",                     {},                     SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:list",       {},                     SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:detail",     {"ods_code": "RAA"},    SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:detail",     {"ods_code": "RBB"},    SIGN_IN,  200, 200,  200,    200,    200),
    Row("organisations:detail",     {"ods_code": "ZZZ99"},  SIGN_IN,  404, 404,  404,    404,    404),
    Row("organisations:import",     {},                     SIGN_IN,  403, 403,  403,    403,    200),
    Row("core:audit_log",           {},                     SIGN_IN,  403, 403,  403,    403,    200),
    Row("core:csoc_tools",          {},                     SIGN_IN,  403, 403,  403,    403,    200),
    Row("reports:index",            {},                     SIGN_IN,  403, 403,  403,    200,    200),
    Row("reports:over_time",        {},                     SIGN_IN,  403, 403,  403,    200,    200),
    Row("reports:organisation",     {"ods_code": "RAA"},    SIGN_IN,  200, 200,  403,    200,    200),
    Row("reports:organisation",     {"ods_code": "RBB"},    SIGN_IN,  403, 403,  200,    200,    200),
    Row("followup:chase",           {"threat_id": "CC-4000"}, SIGN_IN, 403, 403,  403,    404,    404),
    Row("api_tokens:index",         {},                     SIGN_IN,  200, 200,  200,    200,    200),
    Row("api-v1:openapi-view",      {},                     200,      200, 200,  200,    200,    200),
]
# fmt: on

CASES = [(row, role) for row in ACCESS for role in ROLES]


def _case_id(case: tuple[Row, str]) -> str:
    row, role = case
    arguments = ",".join(str(value) for value in row.kwargs.values())
    return f"{row.name}({arguments})-{role}"


@pytest.fixture
def client_for(request, signed_in, trust_a, trust_b):
    """client_for(role) -> a test client for that role, signed in with MFA unless anonymous."""

    def _client(role: str) -> Client:
        if role == "anonymous":
            return Client()
        return signed_in(request.getfixturevalue(role))

    return _client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_access(client_for, case):
    row, role = case
    url = reverse(row.name, kwargs=row.kwargs)
    expected = getattr(row, role)
    response = client_for(role).get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302, f"{role} got {response.status_code} from {url}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
    else:
        assert response.status_code == expected, f"{role} got {response.status_code} from {url}, not {expected}"
