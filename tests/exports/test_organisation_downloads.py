"""Each organisation downloads its own responses from its response page (moved here from tests/responses)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.exports.conftest import csv_rows, xlsx_rows
from tests.responses.conftest import acknowledge, make_alert, response_of

pytestmark = pytest.mark.django_db


def test_the_response_page_links_to_the_downloads(signed_in, history, bob):
    html = signed_in(bob).get(f"/responses/{history['summer'].threat_id}/RAA/").content.decode()
    assert 'href="/exports/organisations/RAA/responses.csv"' in html
    assert 'href="/exports/organisations/RAA/responses.xlsx"' in html
    assert 'href="/exports/history.csv?organisation=RAA"' in html
    assert 'href="/exports/history.xlsx?organisation=RAA"' in html


def test_an_organisations_responses_newest_alert_first(signed_in, history, bob):
    download = signed_in(bob).get(reverse("exports:organisation_responses", args=["RAA", "xlsx"]))
    assert download["Content-Disposition"].startswith('attachment; filename="RAA-responses-')
    rows = xlsx_rows(download)
    assert [(row["Threat ID"], row["Status"]) for row in rows] == [
        (history["winter"].threat_id, "Not yet acknowledged"),
        (history["summer"].threat_id, "Complete"),
    ]


def test_winter_times_carry_their_own_offset(signed_in, trust_a, bob):
    with time_machine.travel(datetime(2025, 12, 1, 8, 0, tzinfo=UTC), tick=False):
        alert = make_alert(organisations=[trust_a])
        acknowledge(response_of(alert, trust_a), bob)
    rows = csv_rows(signed_in(bob).get(reverse("exports:organisation_responses", args=["RAA", "csv"])))
    assert rows[0]["Acknowledged"] == "2025-12-01T08:00:00+00:00"


def test_an_organisations_history(signed_in, history, bob):
    download = signed_in(bob).get(reverse("exports:history", args=["csv"]) + "?organisation=raa")
    assert download["Content-Disposition"].startswith('attachment; filename="RAA-response-history-')
    assert [(row["Version"], row["Submitted by"]) for row in csv_rows(download)] == [
        ("1", "Bob Responder"),
        ("2", "Lee Lead (Midlands Commissioning Support Unit)"),
    ]
