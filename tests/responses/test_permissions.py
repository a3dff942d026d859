"""Who can open which response page: one row per page, one column per role.

bob responds for Trust A and alice administers it; charlie administers Trust B; lee, of a support unit, responds
on behalf of both; dave belongs to an organisation with no access to either. Auditors and CSOC staff read every
response and submit none. Another organisation's response is "not found", so nobody learns it exists.
"""

from typing import NamedTuple

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from respond.alerts.models import Tlp
from respond.responses.models import ResponseEntry
from tests.factories import UserFactory
from tests.responses.conftest import make_alert, response_of

SIGN_IN = "sign in"
ROLES = ("anonymous", "bob", "alice", "charlie", "lee", "dave", "auditor", "csoc")


class Row(NamedTuple):
    name: str
    args: tuple
    anonymous: int | str
    bob: int
    alice: int
    charlie: int
    lee: int
    dave: int
    auditor: int
    csoc: int


# "both" is an alert to Trust A and Trust B; "amber" a TLP:AMBER alert to Trust A only.
# fmt: off
ACCESS = [
    #   url name                      args                  anon     bob  alice charlie lee  dave auditor csoc
    Row("home",                       (),                   SIGN_IN, 200, 200,  200,    200, 200, 200,    200),
    Row("responses:alert",            ("both",),            SIGN_IN, 200, 200,  200,    200, 404, 200,    200),
    Row("responses:alert",            ("amber",),           SIGN_IN, 200, 200,  404,    200, 404, 200,    200),
    Row("responses:alert",            ("CC-1",),            SIGN_IN, 404, 404,  404,    404, 404, 404,    404),
    Row("responses:detail",           ("both", "RAA"),      SIGN_IN, 200, 200,  404,    200, 404, 200,    200),
    Row("responses:detail",           ("both", "RBB"),      SIGN_IN, 404, 404,  200,    200, 404, 200,    200),
    Row("responses:detail",           ("amber", "RAA"),     SIGN_IN, 200, 200,  404,    200, 404, 200,    200),
    Row("responses:detail",           ("both", "ZZZ99"),    SIGN_IN, 404, 404,  404,    404, 404, 404,    404),
    Row("responses:acknowledge",      ("both", "RAA"),      SIGN_IN, 200, 200,  404,    200, 404, 403,    403),
    Row("responses:acknowledge",      ("both", "RBB"),      SIGN_IN, 404, 404,  200,    200, 404, 403,    403),
    Row("responses:update",           ("both", "RAA"),      SIGN_IN, 200, 200,  404,    200, 404, 403,    403),
    Row("responses:update",           ("amber", "RAA"),     SIGN_IN, 200, 200,  404,    200, 404, 403,    403),
    Row("responses:bulk",             ("both",),            SIGN_IN, 200, 200,  200,    200, 404, 404,    404),
    Row("responses:bulk",             ("amber",),           SIGN_IN, 200, 200,  404,    200, 404, 404,    404),
]
# fmt: on
# The CSV downloads moved to the exports app: tests/exports/test_export_permissions.py.

CASES = [(row, role) for row in ACCESS for role in ROLES]


def _case_id(case: tuple[Row, str]) -> str:
    row, role = case
    return f"{row.name}({','.join(row.args)})-{role}"


@pytest.fixture
def alerts(trust_a, trust_b):
    both = make_alert(organisations=[trust_a, trust_b])
    amber = make_alert(organisations=[trust_a], tlp=Tlp.AMBER, title="Restricted: exploited VPN appliance")
    for alert in (both, amber):
        response_of(alert, trust_a)
    return {"both": both.threat_id, "amber": amber.threat_id}


@pytest.fixture
def client_for(request, signed_in, trust_a, trust_b, lee):
    def _client(role: str) -> Client:
        if role == "anonymous":
            return Client()
        if role == "dave":
            return signed_in(UserFactory(email="dave@gamma.nhs.uk", full_name="Dave Elsewhere"))
        return signed_in(request.getfixturevalue(role))

    return _client


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_access(client_for, alerts, case):
    row, role = case
    url = reverse(row.name, args=[alerts.get(arg, arg) for arg in row.args])
    expected = getattr(row, role)
    response = client_for(role).get(url)
    if expected == SIGN_IN:
        assert response.status_code == 302, f"{role} got {response.status_code} from {url}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")
    else:
        assert response.status_code == expected, f"{role} got {response.status_code} from {url}, not {expected}"


SUBMISSIONS = [
    ("responses:acknowledge", {"version": "0"}),
    ("responses:update", {"version": "0", "status": "not_applicable", "not_applicable_reason": "not_in_use"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data"), SUBMISSIONS)
@pytest.mark.parametrize(("role", "expected"), [("charlie", 404), ("dave", 404), ("auditor", 403), ("csoc", 403)])
def test_only_the_organisations_people_can_submit(client_for, alerts, name, data, role, expected):
    url = reverse(name, args=[alerts["both"], "RAA"])
    assert client_for(role).post(url, data).status_code == expected
    assert not ResponseEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["bob", "alice", "lee"])
@pytest.mark.parametrize(("name", "data"), SUBMISSIONS)
def test_administrators_responders_and_those_acting_on_behalf_can_submit(client_for, alerts, role, name, data):
    url = reverse(name, args=[alerts["both"], "RAA"])
    assert client_for(role).post(url, data).status_code == 302
    assert ResponseEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_bulk_response_cannot_include_an_organisation_you_do_not_respond_for(client_for, alerts, trust_a, trust_b):
    page = client_for("charlie").post(
        reverse("responses:bulk", args=[alerts["both"]]),
        {"step": "confirm", "organisations": [str(trust_a.pk), str(trust_b.pk)], "status": "acknowledge"},
    )
    assert page.status_code == 200
    assert "Select only organisations you respond for" in page.content.decode()
    assert not ResponseEntry.objects.exists()


@pytest.mark.django_db
def test_auditors_and_csoc_staff_see_every_organisations_responses(client_for, alerts):
    for role in ("auditor", "csoc"):
        html = client_for(role).get(reverse("responses:alert", args=[alerts["both"]])).content.decode()
        assert "Alpha Hospitals NHS Trust" in html
        assert "Beta Hospitals NHS Trust" in html
        assert "Every organisation" in html


@pytest.mark.django_db
def test_people_see_only_their_own_organisations_responses(client_for, alerts):
    html = client_for("bob").get(reverse("responses:alert", args=[alerts["both"]])).content.decode()
    assert "Alpha Hospitals NHS Trust" in html
    assert "Beta Hospitals NHS Trust" not in html
