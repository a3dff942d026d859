"""Each organisation downloads its own responses: streamed CSV, plain-English headers, ISO 8601 with time zone."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.http import StreamingHttpResponse

from respond.responses.models import ResponseStatus
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db


def rows_of(download: StreamingHttpResponse) -> list[dict[str, str]]:
    assert isinstance(download, StreamingHttpResponse)
    text = b"".join(download.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def history(trust_a, trust_b, bob, lee, charlie):
    """In British Summer Time: Trust A acknowledged (bob), then completed it (lee, on its behalf)."""
    with time_machine.travel(datetime(2025, 7, 1, 8, 0, tzinfo=UTC), tick=False):
        alert = make_alert(organisations=[trust_a, trust_b])
        response = acknowledge(response_of(alert, trust_a), bob)
    with time_machine.travel(datetime(2025, 7, 2, 15, 30, tzinfo=UTC), tick=False):
        update(response, lee, ResponseStatus.COMPLETE, completed_on=date(2025, 7, 2), completion_summary="=SUM(A1:A9)")
        acknowledge(response_of(alert, trust_b), charlie)
    return alert


def test_the_current_responses(signed_in, history, bob):
    download = signed_in(bob).get("/responses/organisations/RAA/responses.csv")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].startswith('attachment; filename="RAA-responses-')
    rows = rows_of(download)
    assert len(rows) == 1
    row = rows[0]
    assert list(row)[:8] == [
        "Threat ID",
        "Alert title",
        "Alert published",
        "Acknowledge by",
        "Organisation",
        "ODS code",
        "Status",
        "Acknowledged",
    ]
    assert row["Threat ID"] == history.threat_id
    assert row["Organisation"] == "Alpha Hospitals NHS Trust"
    assert row["Status"] == "Complete"
    # Published an hour before 08:00 UTC, that is 08:00 British Summer Time; 48 hours to acknowledge.
    assert row["Alert published"] == "2025-07-01T08:00:00+01:00"
    assert row["Acknowledge by"] == "2025-07-03T08:00:00+01:00"
    assert row["Acknowledged"] == "2025-07-01T09:00:00+01:00"
    assert row["Acknowledged within the response window"] == "Yes"
    assert row["Closed"] == "2025-07-02T16:30:00+01:00"
    assert row["Last updated by"] == "Lee Lead"
    assert row["Last updated by (organisation)"] == "Midlands Commissioning Support Unit"
    assert row["Date remediation was completed"] == "2025-07-02"
    # A spreadsheet must not run what someone typed as a formula.
    assert row["Summary of what was done"] == "'=SUM(A1:A9)"


def test_the_history(signed_in, history, bob):
    rows = rows_of(signed_in(bob).get("/responses/organisations/RAA/history.csv"))
    assert [(row["Version"], row["What happened"], row["Status"], row["Submitted by"]) for row in rows] == [
        ("1", "Acknowledged", "In progress", "Bob Responder"),
        ("2", "Status updated", "Complete", "Lee Lead"),
    ]
    assert rows[0]["Submitted"] == "2025-07-01T09:00:00+01:00"
    assert rows[0]["On behalf of another organisation"] == "No"
    assert rows[1]["On behalf of another organisation"] == "Yes"
    assert rows[1]["Submitted by (organisation)"] == "Midlands Commissioning Support Unit"
    assert rows[0]["Next update due"] == "2025-07-04"


def test_winter_times_carry_their_own_offset(signed_in, trust_a, bob):
    with time_machine.travel(datetime(2025, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        alert = make_alert(organisations=[trust_a])
        acknowledge(response_of(alert, trust_a), bob)
    rows = rows_of(signed_in(bob).get("/responses/organisations/RAA/responses.csv"))
    assert rows[0]["Acknowledged"] == "2025-12-01T08:00:00+00:00"


def test_only_the_organisations_own_responses(signed_in, history, charlie):
    rows = rows_of(signed_in(charlie).get("/responses/organisations/RBB/responses.csv"))
    assert [row["Organisation"] for row in rows] == ["Beta Hospitals NHS Trust"]
    assert rows[0]["Status"] == "In progress"


def test_a_response_not_yet_given_is_listed(signed_in, trust_a, bob):
    alert = make_alert(organisations=[trust_a])
    response_of(alert, trust_a)
    rows = rows_of(signed_in(bob).get("/responses/organisations/RAA/responses.csv"))
    assert [(row["Status"], row["Acknowledged"], row["Last updated by"]) for row in rows] == [
        ("Not yet acknowledged", "", "")
    ]


def test_the_response_page_links_to_the_downloads(signed_in, history, bob):
    html = signed_in(bob).get(f"/responses/{history.threat_id}/RAA/").content.decode()
    assert 'href="/responses/organisations/RAA/responses.csv"' in html
    assert 'href="/responses/organisations/RAA/history.csv"' in html
