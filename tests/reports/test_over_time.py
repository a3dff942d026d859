"""Compliance over time: per month of publication, overall, by region and by type, with filters. Alert Z, published
this month, is left out by the date range; the figures are worked out by hand from the fixture (see conftest)."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.urls import reverse

from respond.reports.over_time import OverTimeFilters, _figures_elsewhere, _figures_in_postgresql
from respond.reports.over_time_summaries import figures_from_summaries, summarised
from respond.reports.statistics import Medians
from tests.core.html import parse
from tests.reports.conftest import LONDON, at, table
from tests.responses.conftest import acknowledge, response_of

pytestmark = pytest.mark.django_db

JANUARY_TO_JULY = {
    "date_from_day": "1",
    "date_from_month": "1",
    "date_from_year": "2026",
    "date_to_day": "31",
    "date_to_month": "7",
    "date_to_year": "2026",
}


def get(signed_in, auditor, **filters):
    return signed_in(auditor).get(reverse("reports:over_time"), {**JANUARY_TO_JULY, **filters})


def test_each_month_with_medians(compliance, signed_in, auditor):
    response = get(signed_in, auditor)
    assert response.status_code == 200
    # Month, responses due, within the window, late, not acknowledged, median times to acknowledge and complete.
    assert table(response.content, "Each month") == [
        ["June 2026", "5", "3 (60%)", "1 (20%)", "1 (20%)", "20 hours", "1 day 2 hours"],
        ["July 2026", "2", "0 (0%)", "1 (50%)", "1 (50%)", "2 days 12 hours", "No data"],
    ]
    chart = parse(response.content).by_id("months-chart")
    assert chart.get("role") == "img"
    assert [text.text for text in chart.find_all("text")] == ["June 2026", "60%", "July 2026", "0%"]


def test_by_region(compliance, signed_in, auditor):
    response = get(signed_in, auditor)
    assert table(response.content, "Each region, over the whole period") == [
        ["London", "3", "2 (67%)", "1 (33%)", "0 (0%)"],
        ["North West", "3", "1 (33%)", "1 (33%)", "1 (33%)"],
        ["No region", "1", "0 (0%)", "0 (0%)", "1 (100%)"],
    ]
    assert table(response.content, "London month by month") == [
        ["June 2026", "2", "2 (100%)", "0 (0%)", "0 (0%)", "6 hours", "1 day 2 hours"],
        ["July 2026", "1", "0 (0%)", "1 (100%)", "0 (0%)", "2 days 12 hours", "No data"],
    ]
    assert table(response.content, "North West month by month") == [
        ["June 2026", "2", "1 (50%)", "1 (50%)", "0 (0%)", "1 day 16 hours", "No data"],
        ["July 2026", "1", "0 (0%)", "0 (0%)", "1 (100%)", "No data", "No data"],
    ]


def test_by_organisation_type(compliance, signed_in, auditor):
    response = get(signed_in, auditor)
    assert table(response.content, "Each organisation type, over the whole period") == [
        ["Commissioning Support Unit", "1", "0 (0%)", "0 (0%)", "1 (100%)"],
        ["Foundation Trust", "1", "1 (100%)", "0 (0%)", "0 (0%)"],
        ["Integrated Care Board", "1", "1 (100%)", "0 (0%)", "0 (0%)"],
        ["NHS Trust", "4", "1 (25%)", "2 (50%)", "1 (25%)"],
    ]
    assert table(response.content, "NHS Trust month by month") == [
        ["June 2026", "2", "1 (50%)", "1 (50%)", "0 (0%)", "1 day 2 hours", "1 day 2 hours"],
        ["July 2026", "2", "0 (0%)", "1 (50%)", "1 (50%)", "2 days 12 hours", "No data"],
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"organisation_type": "icb"}, [["June 2026", "1", "1 (100%)", "0 (0%)", "0 (0%)", "10 hours", "No data"]]),
        (
            {"region": "Y62"},
            [
                ["June 2026", "2", "1 (50%)", "1 (50%)", "0 (0%)", "1 day 16 hours", "No data"],
                ["July 2026", "1", "0 (0%)", "0 (0%)", "1 (100%)", "No data", "No data"],
            ],
        ),
        ({"severity": "medium"}, [["July 2026", "2", "0 (0%)", "1 (50%)", "1 (50%)", "2 days 12 hours", "No data"]]),
        (
            {"date_from_month": "7", "date_to_day": "10", "date_to_month": "7"},
            [["July 2026", "2", "0 (0%)", "1 (50%)", "1 (50%)", "2 days 12 hours", "No data"]],
        ),
    ],
)
def test_filters(compliance, signed_in, auditor, filters, expected):
    assert table(get(signed_in, auditor, **filters).content, "Each month") == expected


def test_a_period_without_alerts(compliance, signed_in, auditor):
    response = get(signed_in, auditor, date_to_month="5")
    assert "No alerts asking for a response were published in this period" in response.content.decode()


def test_without_dates_shows_the_last_twelve_months(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:over_time"))
    months = [row[0] for row in table(response.content, "Each month")]
    # Z was published this month; X and Y, in June and July 2026, are shown while less than a year old.
    assert len(months) >= 1
    assert "Without dates, this shows the last 12 months." in response.content.decode()


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"date_from_day": "31", "date_from_month": "2"}, "From date must be a real date"),
        ({"date_from_year": ""}, "From date must include a year"),
        ({"date_from_month": "7", "date_to_month": "5"}, "To date must be the same as or after the from date"),
        ({"severity": "catastrophic"}, "Select a severity"),
        ({"organisation_type": "spaceship"}, "Select an organisation type"),
        ({"region": "Y99"}, "Select a region"),
    ],
)
def test_invalid_filters_say_what_to_fix_and_keep_what_was_typed(compliance, signed_in, auditor, filters, message):
    response = get(signed_in, auditor, **filters)
    assert response.status_code == 200
    page = parse(response.content)
    assert page.find("title").text.startswith("Error: ")
    assert message in page.find(class_="nhsuk-error-summary").text
    assert "Correct the errors above to see the figures." in response.content.decode()
    for name, value in {**JANUARY_TO_JULY, **filters}.items():
        if name.startswith("date_") and value:
            assert page.find("input", name=name).get("value") == value


def test_the_page_says_when_the_figures_were_worked_out_and_keeps_them_five_minutes(compliance, signed_in, auditor):
    client = signed_in(auditor)
    with at(datetime(2026, 8, 3, 14, 5, tzinfo=LONDON)):
        first = client.get(reverse("reports:over_time"), JANUARY_TO_JULY)
    assert "Figures as of 3 August 2026, 2:05pm" in parse(first.content).by_id("calculated-at").text
    # A late acknowledgement of Y, published in July: its trust B was not acknowledged.
    with at(datetime(2026, 8, 3, 14, 6, tzinfo=LONDON)):
        acknowledge(response_of(compliance.y, compliance.trust_b), compliance.responder)
    july = ["July 2026", "2", "0 (0%)", "1 (50%)", "1 (50%)", "2 days 12 hours", "No data"]
    with at(datetime(2026, 8, 3, 14, 9, tzinfo=LONDON)):
        assert table(client.get(reverse("reports:over_time"), JANUARY_TO_JULY).content, "Each month")[1] == july
    with at(datetime(2026, 8, 3, 14, 11, tzinfo=LONDON)):
        later = client.get(reverse("reports:over_time"), JANUARY_TO_JULY)
    assert "Figures as of 3 August 2026, 2:11pm" in parse(later.content).by_id("calculated-at").text
    assert table(later.content, "Each month")[1][:5] == ["July 2026", "2", "0 (0%)", "2 (100%)", "0 (0%)"]


def test_other_filters_are_worked_out_apart(compliance, signed_in, auditor):
    client = signed_in(auditor)
    client.get(reverse("reports:over_time"), JANUARY_TO_JULY)
    medium = client.get(reverse("reports:over_time"), {**JANUARY_TO_JULY, "severity": "medium"})
    assert table(medium.content, "Each month") == [
        ["July 2026", "2", "0 (0%)", "1 (50%)", "1 (50%)", "2 days 12 hours", "No data"]
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's single query")
@pytest.mark.parametrize(
    "filters",
    [
        OverTimeFilters(date_from=date(2026, 1, 1), date_to=date(2026, 7, 31)),
        OverTimeFilters(date_from=date(2026, 6, 1), region_code="Y62"),
        OverTimeFilters(organisation_type="nhs_trust", severity="high"),
    ],
)
def test_postgresql_gives_the_same_figures_as_the_medians_worked_out_in_python(compliance, filters):
    counts, medians = _figures_in_postgresql(filters)
    python_counts, python_medians = _figures_elsewhere(filters)
    assert counts == python_counts
    assert medians == {key: python_medians.get(key, Medians()) for key in python_counts}


@pytest.mark.parametrize(
    "filters",
    [
        OverTimeFilters(date_from=date(2026, 1, 1), date_to=date(2026, 7, 31)),
        OverTimeFilters(date_from=date(2026, 7, 1)),
    ],
)
def test_the_summaries_give_the_figures_the_responses_give(compliance, filters):
    """Every delay of the fixture is whole hours, so the medians of whole minutes are those of the delays."""
    assert summarised(filters)
    assert figures_from_summaries(filters) == _figures_elsewhere(filters)


def test_only_whole_months_and_no_other_filter_are_read_from_the_summaries():
    assert summarised(OverTimeFilters())
    assert summarised(OverTimeFilters(date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)))
    assert not summarised(OverTimeFilters(date_from=date(2026, 2, 2)))
    assert not summarised(OverTimeFilters(date_to=date(2026, 2, 27)))
    assert not summarised(OverTimeFilters(severity="high"))
    assert not summarised(OverTimeFilters(organisation_type="nhs_trust"))
    assert not summarised(OverTimeFilters(region_code="Y62"))
