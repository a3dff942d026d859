"""What each export holds, in CSV and XLSX alike: plain-English headers, ISO 8601 dates and times with their offset
from UTC, on-behalf labels, and text that cannot run as a spreadsheet formula."""

import pytest
from django.urls import reverse

from respond.exports.compliance import COMPLIANCE_HEADERS
from respond.exports.tables import HISTORY_HEADERS, RESPONSE_HEADERS
from tests.exports.conftest import csv_rows, xlsx_rows
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db
READERS = {"csv": csv_rows, "xlsx": xlsx_rows}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_alerts_responses_one_row_per_organisation(signed_in, auditor, history, fmt):
    alert = history["summer"]
    download = signed_in(auditor).get(reverse("exports:alert_responses", args=[alert.threat_id, fmt]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith(f'attachment; filename="{alert.threat_id}-responses-')
    assert download["Content-Disposition"].endswith(f'.{fmt}"')
    rows = READERS[fmt](download)
    assert list(rows[0]) == RESPONSE_HEADERS
    assert [row["Organisation"] for row in rows] == ["Alpha Hospitals NHS Trust", "Beta Hospitals NHS Trust"]
    alpha, beta = rows
    assert alpha["ODS code"] == "RAA"
    assert alpha["Organisation type"] == "NHS Trust"
    assert alpha["Status"] == "Complete"
    # Published at 08:00 British Summer Time, 48 hours to acknowledge; acknowledged an hour later.
    assert alpha["Acknowledge by"] == "2025-07-03T08:00:00+01:00"
    assert alpha["Acknowledged"] == "2025-07-01T09:00:00+01:00"
    assert alpha["Acknowledged within the response window"] == "Yes"
    assert alpha["Closed"] == "2025-07-02T16:30:00+01:00"
    assert alpha["Last updated"] == "2025-07-02T16:30:00+01:00"
    # lee is of the support unit, acting on Trust A's behalf.
    assert alpha["Last updated by"] == "Lee Lead (Midlands Commissioning Support Unit)"
    assert alpha["Last updated on behalf of another organisation"] == "Yes"
    assert alpha["Date remediation was completed"] == "2025-07-02"
    # A spreadsheet must not run what someone typed as a formula.
    assert alpha["Summary of what was done"] == "'=SUM(A1:A9)"
    assert beta["Status"] == "In progress"
    assert beta["Acknowledged"] == "2025-07-04T10:00:00+01:00"
    assert beta["Acknowledged within the response window"] == "No"
    assert beta["Last updated by"] == "Charlie Other"
    assert beta["Last updated on behalf of another organisation"] == "No"
    assert beta["Next update due"] == "2025-07-07"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_response_not_yet_given(signed_in, bob, history, fmt):
    alert = history["winter"]
    rows = READERS[fmt](signed_in(bob).get(reverse("exports:alert_responses", args=[alert.threat_id, fmt])))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Status"], row["Acknowledged"], row["Last updated by"]) == ("Not yet acknowledged", "", "")
    # Winter: Greenwich Mean Time, no offset.
    assert row["Acknowledge by"] == "2025-12-03T09:00:00+00:00"
    assert row["Alert title"] == "'@Exploited mail server"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_history_one_row_per_entry(signed_in, auditor, history, fmt):
    rows = READERS[fmt](signed_in(auditor).get(reverse("exports:history", args=[fmt])))
    assert list(rows[0]) == HISTORY_HEADERS
    described = [
        (row["ODS code"], row["Version"], row["What happened"], row["Status"], row["Submitted by"]) for row in rows
    ]
    version = 1 if fmt == "xlsx" else "1"
    second = 2 if fmt == "xlsx" else "2"
    assert described == [
        ("RAA", version, "Acknowledged", "In progress", "Bob Responder"),
        ("RAA", second, "Status updated", "Complete", "Lee Lead (Midlands Commissioning Support Unit)"),
        ("RBB", version, "Acknowledged", "In progress", "Charlie Other"),
    ]
    first, completed, _ = rows
    assert first["Submitted"] == "2025-07-01T09:00:00+01:00"
    assert first["Submitted by (organisation)"] == "Alpha Hospitals NHS Trust"
    assert first["On behalf of another organisation"] == "No"
    assert first["Part of a bulk response"] == "No"
    assert first["Next update due"] == "2025-07-04"
    assert completed["On behalf of another organisation"] == "Yes"
    assert completed["Submitted by (organisation)"] == "Midlands Commissioning Support Unit"
    assert completed["Summary of what was done"] == "'=SUM(A1:A9)"
    assert completed["Date remediation was completed"] == "2025-07-02"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_compliance_summary_one_row_per_organisation(signed_in, csoc, history, fmt):
    rows = READERS[fmt](signed_in(csoc).get(reverse("exports:compliance", args=[fmt])))
    assert list(rows[0]) == COMPLIANCE_HEADERS
    by_code = {row["ODS code"]: row for row in rows}
    assert set(by_code) == {"RAA", "RBB"}
    alpha, beta = by_code["RAA"], by_code["RBB"]
    number = int if fmt == "xlsx" else str
    # Trust A: two alerts, one acknowledged an hour after publication, one not at all (still owed).
    assert alpha["Alerts in scope"] == number(2)
    assert alpha["Acknowledged within the window"] == number(1)
    assert alpha["Acknowledged late"] == number(0)
    assert alpha["Not acknowledged"] == number(1)
    assert alpha["Acknowledged within the window (%)"] == number(50)
    assert float(alpha["Median hours to acknowledge"]) == 1.0
    assert alpha["Open remediations"] == number(1)
    assert alpha["Open exceptions"] == number(0)
    # Trust B: acknowledged 74 hours after publication, after the 48-hour window; in progress.
    assert beta["Alerts in scope"] == number(1)
    assert beta["Acknowledged within the window"] == number(0)
    assert beta["Acknowledged late"] == number(1)
    assert beta["Acknowledged within the window (%)"] == number(0)
    assert float(beta["Median hours to acknowledge"]) == 74.0
    assert beta["Open remediations"] == number(1)


def test_the_compliance_summary_over_a_period(signed_in, csoc, history):
    rows = csv_rows(signed_in(csoc).get(reverse("exports:compliance", args=["csv"]) + "?from=2025-11-01"))
    assert [(row["ODS code"], row["Alerts in scope"], row["Not acknowledged"]) for row in rows] == [("RAA", "1", "1")]


def test_an_unknown_format_is_not_found(signed_in, auditor, history):
    client = signed_in(auditor)
    assert client.get("/exports/history.pdf").status_code == 404
    assert client.get(f"/exports/alerts/{history['summer'].threat_id}/responses.json").status_code == 404


def test_every_organisation_in_scope_has_a_row(signed_in, auditor, trust_a, trust_b):
    # Published without its responses opened (they are opened on publication, or by the first page that needs them).
    alert = make_alert(organisations=[trust_a, trust_b])
    rows = csv_rows(signed_in(auditor).get(reverse("exports:alert_responses", args=[alert.threat_id, "csv"])))
    assert [(row["ODS code"], row["Status"]) for row in rows] == [
        ("RAA", "Not yet acknowledged"),
        ("RBB", "Not yet acknowledged"),
    ]
