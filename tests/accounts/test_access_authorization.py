"""Who can open which access page: one row per URL, one column per role (as tests/test_authorization.py).

Roles: anonymous; bob responds for Trust A; alice administers Trust A; charlie administers Trust B;
an auditor; CSOC staff. Forged form posts are tested with each action in the other files.
"""

from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

SIGN_IN = "sign in"


class Row(NamedTuple):
    name: str
    args: tuple
    anonymous: int | str
    bob: int | str
    alice: int | str
    charlie: int | str
    auditor: int | str
    csoc: int | str


ROLES = ("anonymous", "bob", "alice", "charlie", "auditor", "csoc")

# fmt: off
ACCESS = [
    #    url name                                  args            anonymous bob  alice charlie auditor csoc
    Row("access:index",                            (),             SIGN_IN,  200, 200,  200,    200,    200),
    Row("access:request_search",                   (),             SIGN_IN,  200, 200,  200,    200,    200),
    Row("access:request_new",                      ("RBB",),       SIGN_IN,  200, 200,  200,    200,    200),
    Row("access:request_new",                      ("ZZZ99",),     SIGN_IN,  404, 404,  404,    404,    404),
    Row("access:invite",                           ("RAA",),       SIGN_IN,  403, 200,  403,    403,    403),
    Row("access:invite",                           ("RBB",),       SIGN_IN,  403, 403,  200,    403,    403),
    Row("access:change_role",                      ("RAA", "bob"), SIGN_IN,  403, 200,  403,    403,    403),
    Row("access:remove_user",                      ("RAA", "bob"), SIGN_IN,  403, 200,  403,    403,    403),
    Row("access:change_role",                      ("RBB", "bob"), SIGN_IN,  403, 403,  404,    403,    403),
    Row("lead_administrators:nominate",            (),             SIGN_IN,  403, 403,  403,    403,    200),
    Row("lead_administrators:coverage",            (),             SIGN_IN,  403, 403,  403,    403,    200),
    Row("lead_administrators:coverage_csv",        (),             SIGN_IN,  403, 403,  403,    403,    200),
    Row("lead_administrators:organisation_suggestions", (),        SIGN_IN,  403, 403,  403,    403,    200),
]
# fmt: on

CASES = [(row, role) for row in ACCESS for role in ROLES]


def _case_id(case: tuple[Row, str]) -> str:
    row, role = case
    return f"{row.name}({','.join(row.args)})-{role}"


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_access(request, client_of, trust_a, trust_b, case):
    row, role = case
    people = {name: request.getfixturevalue(name) for name in ("alice", "bob", "charlie")}
    args = [people[arg].pk if arg in people else arg for arg in row.args]
    url = reverse(row.name, args=args)
    expected = getattr(row, role)
    client = Client() if role == "anonymous" else client_of(request.getfixturevalue(role))
    response = client.get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302, f"{role} got {response.status_code} from {url}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
    else:
        assert response.status_code == expected, f"{role} got {response.status_code} from {url}, not {expected}"
