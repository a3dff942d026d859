"""The per-alert report and the list of alerts: figures worked out by hand from the fixture (see conftest)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from respond.reports.services import alert_report, alert_summaries
from respond.responses.models import Response
from tests.core.html import parse
from tests.reports.conftest import table
from tests.responses.conftest import make_alert

pytestmark = pytest.mark.django_db


def test_headline_figures_count_late_and_missing_acknowledgements(compliance):
    report = alert_report(alert=compliance.x, now=timezone.now())
    figures = report.acknowledgements
    assert (figures.in_scope, figures.within_window, figures.late, figures.not_acknowledged) == (5, 3, 1, 1)
    assert figures.within_window_percent == 60
    assert report.deadline_passed


def test_current_status_counts(compliance):
    statuses = alert_report(alert=compliance.x, now=timezone.now()).statuses
    assert [(label, count) for _, label, count in statuses.items()] == [
        ("Not yet acknowledged", 1),
        ("In progress", 1),
        ("Complete", 1),
        ("Not applicable", 1),
        ("Unable to implement", 1),
    ]


def test_medians_are_from_publication(compliance):
    medians = alert_report(alert=compliance.x, now=timezone.now()).medians
    # Acknowledged after 2, 10, 30 and 50 hours: the median is halfway between 10 and 30.
    assert medians.acknowledge == timedelta(hours=20)
    # Only Trust A is complete, after 26 hours (the ICB's "not applicable" is not a completion).
    assert medians.complete == timedelta(hours=26)


def test_breakdown_by_organisation_type(compliance):
    by_type = alert_report(alert=compliance.x, now=timezone.now()).by_type
    rows = {
        group.label: (
            group.acknowledgements.in_scope,
            group.acknowledgements.within_window,
            group.acknowledgements.late,
            group.acknowledgements.not_acknowledged,
        )
        for group in by_type
    }
    assert rows == {
        "Commissioning Support Unit": (1, 0, 0, 1),
        "Foundation Trust": (1, 1, 0, 0),
        "Integrated Care Board": (1, 1, 0, 0),
        "NHS Trust": (2, 1, 1, 0),
    }
    trusts = next(group for group in by_type if group.label == "NHS Trust")
    assert (trusts.statuses.complete, trusts.statuses.in_progress) == (1, 1)


def test_breakdown_by_region_puts_organisations_without_one_last(compliance):
    by_region = alert_report(alert=compliance.x, now=timezone.now()).by_region
    assert [
        (
            group.label,
            group.acknowledgements.within_window,
            group.acknowledgements.late,
            group.acknowledgements.not_acknowledged,
            group.statuses.in_progress,
        )
        for group in by_region
    ] == [("London", 2, 0, 0, 0), ("North West", 1, 1, 0, 1), ("No region", 0, 0, 1, 0)]


def test_an_organisation_without_a_response_row_counts_as_not_acknowledged(compliance):
    Response.objects.filter(alert=compliance.y, organisation=compliance.trust_b).delete()
    (summary,) = alert_summaries([compliance.y], now=timezone.now())
    assert (summary.acknowledgements.in_scope, summary.acknowledgements.late) == (2, 1)
    assert summary.acknowledgements.not_acknowledged == 1


INDEX_TABLE = "Acknowledgements of each alert, newest first"


def test_index_lists_alerts_newest_first_with_their_figures(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:index"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = table(response.content, INDEX_TABLE)
    assert [row[0].split(":")[0] for row in rows] == [
        compliance.z.threat_id,
        compliance.y.threat_id,
        compliance.x.threat_id,
    ]
    # In scope, within the window, late, not acknowledged.
    assert [row[2:] for row in rows] == [
        ["1", "0 (0%)", "0 (0%)", "1 (100%)"],
        ["2", "0 (0%)", "1 (50%)", "1 (50%)"],
        ["5", "3 (60%)", "1 (20%)", "1 (20%)"],
    ]
    assert rows[0][1].endswith("(still open)")
    assert rows[1][1] == "12 July 2026, 10:00am"


def test_index_filters_by_severity_and_year(compliance, signed_in, auditor):
    client = signed_in(auditor)
    response = client.get(reverse("reports:index"), {"severity": "medium"})
    assert [row[0].split(":")[0] for row in table(response.content, INDEX_TABLE)] == [compliance.y.threat_id]
    old = make_alert(organisations=[compliance.trust_a], published_at=compliance.x.published_at.replace(year=2025))
    response = client.get(reverse("reports:index"), {"year": "2025"})
    assert [row[0].split(":")[0] for row in table(response.content, INDEX_TABLE)] == [old.threat_id]


def test_index_says_which_filter_is_wrong(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:index"), {"severity": "urgent", "year": "1999"})
    page = parse(response.content)
    assert page.find("title").text.startswith("Error: ")
    summary = page.find(class_="nhsuk-error-summary").text
    assert "Select a severity" in summary
    assert "Select a year" in summary


def test_index_leaves_out_drafts_and_alerts_not_asking_for_a_response(compliance, signed_in, auditor):
    make_alert(organisations=[compliance.trust_a], response_required=False)
    make_alert(organisations=[compliance.trust_a], status="draft", threat_id=None, published_at=None)
    response = signed_in(auditor).get(reverse("reports:index"))
    assert len(table(response.content, INDEX_TABLE)) == 3


def test_alert_page_shows_the_figures_charts_and_tables(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:alert", args=[compliance.x.threat_id]))
    assert response.status_code == 200
    page = parse(response.content)
    figures = {row.find("dt").text: row.find("dd").text for row in page.find_all(class_="nhsuk-summary-list__row")}
    assert figures["Organisations in scope"] == "5"
    assert figures["Acknowledged within the window"] == "3 (60%)"
    assert figures["Acknowledged late"] == "1 (20%)"
    assert figures["Not acknowledged by the deadline"] == "1 (20%)"
    assert figures["Median time to acknowledge"] == "20 hours"
    assert figures["Median time to complete"] == "1 day 2 hours"
    charts = page.find_all("svg", class_="app-chart", role="img")
    assert [chart.get("aria-labelledby") for chart in charts] == [
        "status-chart-title status-chart-desc",
        "type-chart-title type-chart-desc",
        "region-chart-title region-chart-desc",
    ]
    assert table(response.content, "Organisations by current status") == [
        ["Not yet acknowledged", "1 (20%)"],
        ["In progress", "1 (20%)"],
        ["Complete", "1 (20%)"],
        ["Not applicable", "1 (20%)"],
        ["Unable to implement", "1 (20%)"],
    ]
    assert table(response.content, "Responses by NHS England region") == [
        ["London", "2", "2 (100%)", "0 (0%)", "0 (0%)", "0", "1", "1", "0"],
        ["North West", "2", "1 (50%)", "1 (50%)", "0 (0%)", "1", "0", "0", "1"],
        ["No region", "1", "0 (0%)", "0 (0%)", "1 (100%)", "0", "0", "0", "0"],
    ]
    rows = table(response.content, f"Each organisation's response to {compliance.x.threat_id}")
    assert [row[0].split(" (")[0] for row in rows] == [
        "Alpha Hospitals NHS Trust",
        "Beta Hospitals NHS Trust",
        "Delta Commissioning Support Unit",
        "Epsilon NHS Foundation Trust",
        "Gamma Integrated Care Board",
    ]
    beta = rows[1]
    assert beta[1] == "In progress"
    assert beta[2] == "3 June 2026, 11:00am Late"
    assert beta[3] == "2 days 2 hours"
    assert rows[0][4] == "1 day 2 hours"


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("not_acknowledged", ["0DE"]),
        ("late", ["RBB"]),
        ("complete", ["RAA"]),
        ("not_applicable", ["QAA"]),
        ("unable_to_implement", ["RCC"]),
        ("", ["RAA", "RBB", "0DE", "RCC", "QAA"]),
    ],
)
def test_alert_page_filters_organisations(compliance, signed_in, auditor, show, expected):
    response = signed_in(auditor).get(reverse("reports:alert", args=[compliance.x.threat_id]), {"show": show})
    rows = table(response.content, f"Each organisation's response to {compliance.x.threat_id}")
    assert [row[0].split("(")[1].split(")")[0] for row in rows] == expected


def test_alert_page_with_a_filter_that_shows_none_says_so(compliance, signed_in, auditor):
    """Alert z's one organisation has not acknowledged it yet, so none is late: the paginator's one empty page."""
    response = signed_in(auditor).get(reverse("reports:alert", args=[compliance.z.threat_id]), {"show": "late"})
    assert response.status_code == 200
    assert "No organisations match." in parse(response.content).text


def test_alert_page_says_which_filter_is_wrong(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:alert", args=[compliance.x.threat_id]), {"show": "everyone"})
    assert "Select which organisations to show" in parse(response.content).find(class_="nhsuk-error-summary").text


def test_alert_page_of_an_unknown_alert_or_one_not_asking_for_a_response_is_not_found(compliance, signed_in, auditor):
    client = signed_in(auditor)
    assert client.get(reverse("reports:alert", args=["CC-99999"])).status_code == 404
    no_response = make_alert(organisations=[compliance.trust_a], response_required=False)
    assert client.get(reverse("reports:alert", args=[no_response.threat_id])).status_code == 404
