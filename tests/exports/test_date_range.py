"""Choosing a period: the exports page checks the dates typed (NHS.UK date input errors that keep what was
typed) and sends the person to the download; the download checks its own YYYY-MM-DD dates again."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.exports.conftest import csv_rows
from tests.responses.conftest import acknowledge, make_alert, response_of

pytestmark = pytest.mark.django_db


def typed(export: str, *, start=("", "", ""), end=("", "", ""), fmt="csv") -> dict[str, str]:
    data = {"export": export, f"{export}-format": fmt}
    for name, parts in (("date_from", start), ("date_to", end)):
        for part, value in zip(("day", "month", "year"), parts, strict=True):
            data[f"{export}-{name}_{part}"] = value
    return data


def test_the_history_of_a_period_in_uk_days(signed_in, auditor, history):
    client = signed_in(auditor)
    rows = csv_rows(client.get(reverse("exports:history", args=["csv"]) + "?from=2025-07-02&to=2025-07-04"))
    assert [(row["ODS code"], row["Version"]) for row in rows] == [("RAA", "2"), ("RBB", "1")]
    rows = csv_rows(client.get(reverse("exports:history", args=["csv"]) + "?to=2025-07-01"))
    assert [(row["ODS code"], row["Version"]) for row in rows] == [("RAA", "1")]


def test_a_day_starts_at_midnight_in_the_uk(signed_in, trust_a, bob):
    # 23:30 UTC on 1 July is 00:30 on 2 July in British Summer Time.
    with time_machine.travel(datetime(2025, 7, 1, 23, 30, tzinfo=UTC), tick=False):
        acknowledge(response_of(make_alert(organisations=[trust_a]), trust_a), bob)
    client = signed_in(bob)
    assert csv_rows(client.get("/exports/history.csv?from=2025-07-01&to=2025-07-01")) == []
    rows = csv_rows(client.get("/exports/history.csv?from=2025-07-02&to=2025-07-02"))
    assert [row["Submitted"] for row in rows] == ["2025-07-02T00:30:00+01:00"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2025-13-01", "From date: Enter a valid date."),
        ("?to=1%2F7%2F2025", "To date: Enter a valid date."),
        ("?from=2025-07-05&to=2025-07-01", "The to date must be the same as or after the from date."),
    ],
)
def test_dates_in_the_address_are_checked(signed_in, bob, history, query, message):
    client = signed_in(bob)
    for name in ("exports:history", "exports:compliance"):
        page = client.get(reverse(name, args=["xlsx"]) + query)
        assert page.status_code == 400
        assert message in page.content.decode()


def test_the_page_sends_valid_dates_to_the_download(signed_in, bob):
    page = signed_in(bob).get(
        reverse("exports:index"), typed("history", start=("1", "jul", "2025"), end=("4", "7", "2025"), fmt="xlsx")
    )
    assert page.status_code == 302
    assert page["Location"] == "/exports/history.xlsx?from=2025-07-01&to=2025-07-04"


def test_no_dates_means_everything(signed_in, bob):
    page = signed_in(bob).get(reverse("exports:index"), typed("compliance"))
    assert page["Location"] == "/exports/compliance.csv"


@time_machine.travel(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (typed("history", start=("31", "2", "2025")), ["From date must be a real date"]),
        (typed("history", start=("1", "", "2025")), ["From date must include a month"]),
        (typed("history", end=("1", "2", "25")), ["Year must include 4 numbers"]),
        (typed("history", start=("1", "4", "2026")), ["From date must be the same as or before 10 March 2026"]),
        (
            typed("history", start=("5", "7", "2025"), end=("1", "7", "2025")),
            ["To date must be the same as or after the from date"],
        ),
        (typed("compliance", start=("1", "7", "2025"), fmt=""), ["Select a format"]),
    ],
)
def test_the_page_explains_what_is_wrong_and_keeps_what_was_typed(signed_in, bob, data, errors):
    page = signed_in(bob).get(reverse("exports:index"), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Error: Export data" in html
    assert "There is a problem" in html
    for error in errors:
        assert error in html
    for name, value in data.items():
        if value and name.endswith(("_day", "_month", "_year")):
            assert f'name="{name}"' in html
            assert f'value="{value}"' in html
