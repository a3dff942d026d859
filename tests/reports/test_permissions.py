"""Who can open which report: one row per page, one column per role (as tests/test_authorization.py).

Roles: anonymous; bob responds for Trust A (RAA); alice administers Trust A; charlie administers Trust B (RBB);
an auditor; CSOC staff. An organisation's own people see only their organisation's history.
"""

from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.responses.conftest import make_alert

SIGN_IN = "sign in"
THREAT_ID = "CC-4321"


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
    #    url name                kwargs                       anonymous bob  alice charlie auditor csoc
    Row("reports:index",         {},                          SIGN_IN,  403, 403,  403,    200,    200),
    Row("reports:alert",         {"threat_id": THREAT_ID},    SIGN_IN,  403, 403,  403,    200,    200),
    Row("reports:alert",         {"threat_id": "CC-99999"},   SIGN_IN,  403, 403,  403,    404,    404),
    Row("reports:organisation",  {"ods_code": "RAA"},         SIGN_IN,  200, 200,  403,    200,    200),
    Row("reports:organisation",  {"ods_code": "RBB"},         SIGN_IN,  403, 403,  200,    200,    200),
    Row("reports:organisation",  {"ods_code": "ZZZ99"},       SIGN_IN,  404, 404,  404,    404,    404),
    Row("reports:over_time",     {},                          SIGN_IN,  403, 403,  403,    200,    200),
]
# fmt: on

CASES = [(row, role) for row in ACCESS for role in ROLES]


def _case_id(case: tuple[Row, str]) -> str:
    row, role = case
    return f"{row.name}({','.join(str(value) for value in row.kwargs.values())})-{role}"


@pytest.fixture
def client_for(request, signed_in, trust_a, trust_b):
    make_alert(organisations=[trust_a, trust_b], threat_id=THREAT_ID)

    def _client(role: str) -> Client:
        return Client() if role == "anonymous" else signed_in(request.getfixturevalue(role))

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


@pytest.mark.django_db
def test_a_member_never_sees_another_organisations_figures(client_for, signed_in, bob, trust_b):
    content = client_for("bob").get(reverse("reports:organisation", kwargs={"ods_code": "RBB"})).content.decode()
    assert trust_b.name not in content


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown"), [("auditor", True), ("csoc", True), ("alice", False), ("bob", False)])
def test_the_header_links_to_reports_for_auditors_and_csoc_staff(client_for, role, shown):
    content = client_for(role).get(reverse("home")).content.decode()
    assert (f'href="{reverse("reports:index")}"' in content) is shown
