"""Generated input for the filters people type into (GET forms): the reports, "Your alerts", the alerts list,
an alert's responses, the organisations list, the access search and the exports page; and the chase form.
A filter never fails: it shows what is wrong, or the list filtered, with what was typed kept in the form."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import example as given_example
from hypothesis import given
from hypothesis import strategies as st

from respond.organisations.models import OrganisationType
from tests.factories import MembershipFactory, RegionFactory
from tests.fuzz.forms import date_parts, merged
from tests.fuzz.harness import example, submit
from tests.fuzz.strategies import accepted_text, budget, field_value, nasty_text, plain_text, stray_fields, submissions
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db

SEVERITIES = ["", "high", "medium", "low"]
searches = st.one_of(nasty_text, plain_text, st.just("Alpha"))
# What a person types into a search box: awkward, within the box's 200 characters.
typed_searches = st.one_of(st.just(""), st.just("Alpha"), accepted_text(200))
this_year = str(timezone.localdate().year)


def _filter(client, url: str, data: dict, *, shows_text: bool = True) -> None:
    """The filter's page: no server error, nothing written; typed text kept in the form when accepted."""
    outcome = submit(client, url, data, method="get", accepted=(200,))
    if shows_text and outcome.valid and "q" in data and len(data["q"]) <= 200 and "\x00" not in data["q"]:
        assert data["q"].strip() in html.unescape(outcome.response.content.decode()) or not data["q"].strip()


@pytest.fixture
def alert(trust_a, trust_b):
    return make_alert(organisations=[trust_a, trust_b])


@pytest.fixture
def london():
    return RegionFactory(code="Y56", name="London")


@pytest.fixture
def as_auditor(auditor, signed_in):
    return signed_in(auditor)


_REPORT_SHOWS = {"alert": ["", "not_acknowledged", "late", "complete"], "organisation": ["", "open", "exceptions"]}


@budget
@given(
    page=st.sampled_from(["index", "alert", "organisation"]),
    data=submissions(
        st.fixed_dictionaries(
            {
                "severity": st.sampled_from(SEVERITIES),
                "year": st.sampled_from(["", this_year]),
                "show": st.sampled_from(["", "not_acknowledged", "late", "complete", "open", "exceptions"]),
            }
        ),
        {
            "severity": field_value(*SEVERITIES),
            "year": field_value("", this_year, "1999"),
            "show": field_value("", "open", "exceptions", "not_acknowledged", "late", "complete"),
        },
    ),
)
def test_report_filters(as_auditor, alert, trust_a, page, data):
    url = {"index": "/reports/", "alert": f"/reports/alerts/{alert.threat_id}/"}.get(
        page, f"/reports/organisations/{trust_a.ods_code}/"
    )
    if page != "index" and data["show"] in _REPORT_SHOWS["alert"] + _REPORT_SHOWS["organisation"]:
        data = {**data, "show": data["show"] if data["show"] in _REPORT_SHOWS[page] else ""}
    with example():
        _filter(as_auditor, url, data)


# A period as a person picks it: from a date to the same date or later, either left blank.
periods = st.tuples(st.integers(-800, 30), st.integers(0, 400), st.sampled_from(["both", "from", "to", "none"])).map(
    lambda each: _period(*each)
)


def _period(start: int, length: int, given: str) -> dict[str, str]:
    first = timezone.localdate() + timedelta(days=start)
    parts = {"date_from": first, "date_to": first + timedelta(days=length)}
    typed = {
        f"{name}_{part}": str(getattr(day, part)) if given in ("both", name[5:]) else ""
        for name, day in parts.items()
        for part in ("day", "month", "year")
    }
    return typed


@budget
@given(
    data=submissions(
        st.tuples(
            periods,
            st.fixed_dictionaries(
                {
                    "severity": st.sampled_from(SEVERITIES),
                    "organisation_type": st.sampled_from(["", *OrganisationType.values]),
                    "region": st.sampled_from(["", "Y56"]),
                }
            ),
        ).map(lambda pair: merged(*pair)),
        st.tuples(
            date_parts("date_from"),
            date_parts("date_to"),
            st.fixed_dictionaries(
                {
                    "severity": field_value(*SEVERITIES),
                    "organisation_type": field_value("", *OrganisationType.values),
                    "region": field_value("", "Y56"),
                }
            ),
        ).map(lambda parts: merged(*parts)),
    )
)
def test_report_over_time_filter(as_auditor, alert, london, data):
    with example():
        _filter(as_auditor, "/reports/over-time/", data)


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {"q": typed_searches, "severity": st.sampled_from(SEVERITIES), "year": st.sampled_from(["", this_year])}
        ),
        {"q": searches, "severity": field_value(*SEVERITIES), "year": field_value("", this_year)},
    )
)
# SQLite: "LIKE or GLOB pattern too complex", a server error
@given_example(data={"q": "a+b+" * 20_000, "severity": "", "year": ""})
def test_public_alerts_filter(client, alert, data):
    with example():
        _filter(client, "/cyber-alerts/", data)


@pytest.fixture
def as_bob(bob, signed_in):
    return signed_in(bob)


@budget
@given(
    data=submissions(
        st.fixed_dictionaries(
            {
                "show": st.sampled_from(["", "open", "overdue", "closed", "all"]),
                "organisation": st.sampled_from(["", "RAA"]),
            }
        ),
        {"show": field_value("open", "overdue", "closed", "all"), "organisation": field_value("", "RAA", "RBB")},
    )
)
def test_dashboard_filter(as_bob, alert, data):
    with example():
        _filter(as_bob, "/", data)


@budget
@given(q=st.one_of(searches, typed_searches))
def test_alert_responses_filter(as_bob, alert, q):
    with example():
        # The filter box shows from 11 organisations: here there are two.
        _filter(as_bob, f"/responses/{alert.threat_id}/", {"q": q}, shows_text=False)


@pytest.fixture
def as_lead(bob, trust_b, signed_in):
    MembershipFactory(user=bob, organisation=trust_b)
    return signed_in(bob)


@budget
@given(q=st.one_of(searches, typed_searches), select=field_value("all", ""))
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
@given(q=st.one_of(searches, typed_searches))
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
@given(
    chosen=st.one_of(
        st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=4),
        st.lists(field_value("a", "b", "0", "-1"), max_size=3),
    ),
    strays=st.one_of(st.just({}), stray_fields),
)
def test_chasing(as_csoc, alert, trust_a, trust_b, chosen, strays):
    ids = {"a": str(trust_a.pk), "b": str(trust_b.pk)}
    with example():
        outcome = submit(
            as_csoc,
            f"/follow-up/alerts/{alert.threat_id}/chase/",
            {**strays, "organisations": [ids.get(each, each) for each in chosen]},
        )
        if outcome.valid:
            assert outcome.location.endswith(f"/follow-up/alerts/{alert.threat_id}/chase/")


@budget
@given(
    data=submissions(
        st.tuples(
            periods,
            st.fixed_dictionaries(
                {
                    "actor": st.one_of(typed_searches, st.just("alice")),
                    "action": st.one_of(st.sampled_from(["", "mfa", "responses.acknowledged"]), accepted_text(200)),
                    "object_type": st.one_of(st.sampled_from(["", "organisations.Organisation"]), accepted_text(200)),
                }
            ),
        ).map(lambda pair: merged(*pair)),
        st.tuples(
            date_parts("date_from"),
            date_parts("date_to"),
            st.fixed_dictionaries(
                {
                    "actor": st.one_of(searches, st.just("alice")),
                    "action": field_value("", "mfa", "responses.acknowledged"),
                    "object_type": field_value("", "organisations.Organisation"),
                }
            ),
        ).map(lambda parts: merged(*parts)),
    )
)
def test_audit_log_filter(as_csoc, alert, data):
    with example():
        _filter(as_csoc, "/csoc/audit-log/", data)
