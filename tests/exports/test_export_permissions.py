"""Who may export what, for every role: auditors and CSOC staff export every organisation's data; administrators
and responders only their own organisations', whatever the address asks for. Anonymous people are sent to sign in.

A set of ODS codes means: downloaded, with rows of exactly those organisations.
"""

from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.exports.conftest import csv_rows
from tests.factories import UserFactory

SIGN_IN = "sign in"
ROLES = ("anonymous", "bob", "alice", "charlie", "lee", "auditor", "csoc")
BOTH = {"RAA", "RBB"}


class Row(NamedTuple):
    name: str
    args: tuple
    query: str
    anonymous: str
    bob: int | set
    alice: int | set
    charlie: int | set
    lee: int | set
    auditor: int | set
    csoc: int | set


# "summer" was sent to Trust A and Trust B; "winter" to Trust A only.
# fmt: off
A, B = {"RAA"}, {"RBB"}
ACCESS = [
    # Columns: url name, args, query; then anonymous, bob, alice, charlie, lee, auditor, csoc.
    Row("exports:index", (), "", SIGN_IN, 200, 200, 200, 200, 200, 200),
    Row("exports:calendar", (), "", SIGN_IN, 200, 200, 200, 200, 200, 200),
    Row("exports:alert_responses", ("summer", "csv"), "", SIGN_IN, A, A, B, BOTH, BOTH, BOTH),
    Row("exports:alert_responses", ("winter", "csv"), "", SIGN_IN, A, A, 404, A, A, A),
    Row("exports:alert_responses", ("CC-1", "csv"), "", SIGN_IN, 404, 404, 404, 404, 404, 404),
    Row("exports:organisation_responses", ("RAA", "csv"), "", SIGN_IN, A, A, 404, A, A, A),
    Row("exports:organisation_responses", ("RBB", "csv"), "", SIGN_IN, 404, 404, B, B, B, B),
    Row("exports:history", ("csv",), "", SIGN_IN, A, A, B, BOTH, BOTH, BOTH),
    Row("exports:history", ("csv",), "?organisation=RBB", SIGN_IN, 404, 404, B, B, B, B),
    Row("exports:history", ("csv",), "?organisation=ZZZ99", SIGN_IN, 404, 404, 404, 404, 404, 404),
    Row("exports:compliance", ("csv",), "", SIGN_IN, A, A, B, BOTH, BOTH, BOTH),
    Row("exports:compliance", ("csv",), "?organisation=RAA", SIGN_IN, A, A, 404, A, A, A),
    # The organisation downloads' first addresses send people on to the exports above.
    Row("responses:csv", ("RAA",), "", SIGN_IN, 302, 302, 302, 302, 302, 302),
    Row("responses:history_csv", ("RAA",), "", SIGN_IN, 302, 302, 302, 302, 302, 302),
]
# fmt: on
CASES = [(row, role) for row in ACCESS for role in ROLES]


def _case_id(case: tuple[Row, str]) -> str:
    row, role = case
    return f"{row.name}({','.join(row.args)}){row.query}-{role}"


@pytest.fixture
def client_for(request, signed_in, trust_a, trust_b, lee):
    def _client(role: str) -> Client:
        return Client() if role == "anonymous" else signed_in(request.getfixturevalue(role))

    return _client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_access(client_for, history, case):
    row, role = case
    url = reverse(row.name, args=[history[arg].threat_id if arg in history else arg for arg in row.args]) + row.query
    expected = getattr(row, role)
    response = client_for(role).get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302, f"{role} got {response.status_code} from {url}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
    elif isinstance(expected, set):
        assert response.status_code == 200, f"{role} got {response.status_code} from {url}"
        assert {row["ODS code"] for row in csv_rows(response)} == expected
    else:
        assert response.status_code == expected, f"{role} got {response.status_code} from {url}, not {expected}"


@pytest.mark.django_db
def test_the_first_addresses_lead_to_the_exports(client_for, history):
    client = client_for("bob")
    current = client.get(reverse("responses:csv", args=["raa"]))
    assert current["Location"] == reverse("exports:organisation_responses", args=["RAA", "csv"])
    past = client.get(reverse("responses:history_csv", args=["RAA"]))
    assert past["Location"] == reverse("exports:history", args=["csv"]) + "?organisation=RAA"
    assert {row["ODS code"] for row in csv_rows(client.get(past["Location"]))} == {"RAA"}


@pytest.mark.django_db
def test_a_responder_with_no_organisation_exports_nothing(signed_in, history):
    client = signed_in(UserFactory(email="dave@gamma.nhs.uk"))
    assert csv_rows(client.get(reverse("exports:history", args=["csv"]))) == []
    assert csv_rows(client.get(reverse("exports:compliance", args=["csv"]))) == []
    assert client.get(reverse("exports:alert_responses", args=[history["summer"].threat_id, "csv"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["?organisation=RBB&organisation=RAA", "?ods_code=RBB", "?organisation_id=2", "?user=charlie%40beta.nhs.uk"],
)
def test_forged_query_strings_never_show_another_organisation(client_for, history, query):
    response = client_for("bob").get(reverse("exports:history", args=["csv"]) + query)
    codes = {row["ODS code"] for row in csv_rows(response)} if response.status_code == 200 else set()
    assert "RBB" not in codes
