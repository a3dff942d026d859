"""Generated input for the filters people type into (GET forms): the reports, "Your alerts", the alerts list,
an alert's responses, the organisations list, the access search and the exports page; and the chase form.
A filter never fails: it shows what is wrong, or the list filtered, with what was typed kept in the form."""

import html

import pytest
from hypothesis import example as given_example
from hypothesis import given
from hypothesis import strategies as st

from respond.organisations.models import OrganisationType
from tests.factories import MembershipFactory
from tests.fuzz.forms import date_parts, merged
from tests.fuzz.harness import example, submit
from tests.fuzz.strategies import budget, field_value, nasty_text, plain_text
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db

SEVERITIES = ["", "high", "medium", "low"]
searches = st.one_of(nasty_text, plain_text, st.just("Alpha"))


def _filter(client, url: str, data: dict, *, shows_text: bool = True) -> None:
    """The filter's page: no server error, nothing written; typed text kept in the form when accepted."""
    outcome = submit(client, url, data, method="get", accepted=(200,))
    if shows_text and outcome.valid and "q" in data and len(data["q"]) <= 200 and "\x00" not in data["q"]:
        assert data["q"].strip() in html.unescape(outcome.response.content.decode()) or not data["q"].strip()


@pytest.fixture
def alert(trust_a, trust_b):
    return make_alert(organisations=[trust_a, trust_b])


@pytest.fixture
def as_auditor(auditor, signed_in):
    return signed_in(auditor)


@budget
@given(
    page=st.sampled_from(["index", "alert", "organisation"]),
    severity=field_value(*SEVERITIES),
    year=field_value("", "2026", "1999"),
    show=field_value("", "open", "exceptions", "not_acknowledged", "late", "complete"),
)
def test_report_filters(as_auditor, alert, trust_a, page, severity, year, show):
    url = {"index": "/reports/", "alert": f"/reports/alerts/{alert.threat_id}/"}.get(
        page, f"/reports/organisations/{trust_a.ods_code}/"
    )
    with example():
        _filter(as_auditor, url, {"severity": severity, "year": year} if page == "index" else {"show": show})


@budget
@given(
    dates=st.tuples(date_parts("date_from"), date_parts("date_to")).map(lambda parts: merged(*parts)),
    severity=field_value(*SEVERITIES),
    organisation_type=field_value("", *OrganisationType.values),
    region=field_value("", "Y56"),
)
def test_report_over_time_filter(as_auditor, alert, dates, severity, organisation_type, region):
    with example():
        data = {**dates, "severity": severity, "organisation_type": organisation_type, "region": region}
        _filter(as_auditor, "/reports/over-time/", data)


@budget
@given(q=searches, severity=field_value(*SEVERITIES), year=field_value("", "2026"))
@given_example(q="a+b+" * 20_000, severity="", year="")  # SQLite: "LIKE or GLOB pattern too complex", a server error
def test_public_alerts_filter(client, alert, q, severity, year):
    with example():
        _filter(client, "/cyber-alerts/", {"q": q, "severity": severity, "year": year})


@pytest.fixture
def as_bob(bob, signed_in):
    return signed_in(bob)


@budget
@given(show=field_value("open", "overdue", "closed", "all"), organisation=field_value("", "RAA", "RBB"))
def test_dashboard_filter(as_bob, alert, show, organisation):
    with example():
        _filter(as_bob, "/", {"show": show, "organisation": organisation})


@budget
@given(q=searches)
def test_alert_responses_filter(as_bob, alert, q):
    with example():
        # The filter box shows from 11 organisations: here there are two.
        _filter(as_bob, f"/responses/{alert.threat_id}/", {"q": q}, shows_text=False)


@pytest.fixture
def as_lead(bob, trust_b, signed_in):
    MembershipFactory(user=bob, organisation=trust_b)
    return signed_in(bob)


@budget
@given(q=searches, select=field_value("all", ""))
def test_bulk_choice_filter(as_lead, alert, q, select):
    with example():
        _filter(as_lead, f"/responses/{alert.threat_id}/bulk/", {"q": q, "select": select}, shows_text=False)


@budget
@given(
    q=searches,
    kind=field_value("", *OrganisationType.values),
    region=field_value("", "Y56"),
    mandated=field_value("", "yes", "no"),
    closed=field_value("", "on"),
)
def test_organisations_filter(as_csoc, trust_a, q, kind, region, mandated, closed):
    with example():
        data = {"q": q, "type": kind, "region": region, "mandated": mandated, "closed": closed}
        _filter(as_csoc, "/organisations/", data)


@budget
@given(q=searches)
def test_access_search(as_charlie, trust_a, q):
    with example():
        _filter(as_charlie, "/access/request/", {"q": q})


@budget
@given(
    export=field_value("history", "compliance"),
    dates=st.tuples(date_parts("date_from"), date_parts("date_to")).map(lambda parts: merged(*parts)),
    fmt=field_value("csv", "xlsx"),
)
def test_export_choices(as_auditor, alert, export, dates, fmt):
    data = {"export": export, f"{export}-format": fmt, **{f"{export}-{name}": value for name, value in dates.items()}}
    with example():
        outcome = submit(as_auditor, "/exports/", data, method="get", accepted=(200, 302))
        if outcome.valid and outcome.response.status_code == 302:
            download = as_auditor.get(outcome.location)
            assert download.status_code == 200
            b"".join(download.streaming_content) if download.streaming else download.content


@budget
@given(chosen=st.lists(field_value("a", "b", "0", "-1"), max_size=3))
def test_chasing(as_csoc, alert, trust_a, trust_b, chosen):
    ids = {"a": str(trust_a.pk), "b": str(trust_b.pk)}
    with example():
        outcome = submit(
            as_csoc,
            f"/follow-up/alerts/{alert.threat_id}/chase/",
            {"organisations": [ids.get(each, each) for each in chosen]},
        )
        if outcome.valid:
            assert outcome.location.endswith(f"/follow-up/alerts/{alert.threat_id}/chase/")


@budget
@given(
    actor=st.one_of(searches, st.just("alice")),
    action=field_value("", "mfa", "responses.acknowledged"),
    object_type=field_value("", "organisations.Organisation"),
    dates=st.tuples(date_parts("date_from"), date_parts("date_to")).map(lambda parts: merged(*parts)),
)
def test_audit_log_filter(as_csoc, alert, actor, action, object_type, dates):
    with example():
        _filter(as_csoc, "/csoc/audit-log/", {"actor": actor, "action": action, "object_type": object_type, **dates})
