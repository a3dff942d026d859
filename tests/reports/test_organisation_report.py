"""One organisation's history across alerts: figures worked out by hand from the fixture (see conftest)."""

import pytest
from django.urls import reverse

from tests.core.html import parse
from tests.reports.conftest import table

pytestmark = pytest.mark.django_db


def summary(content: bytes) -> dict[str, str]:
    rows = parse(content).find_all(class_="nhsuk-summary-list__row")
    return {row.find("dt").text: row.find("dd").text for row in rows}


def history_caption(organisation) -> str:
    return f"{organisation.name}'s response to each alert, newest first"


def test_history_of_an_organisation_that_was_late_once(compliance, signed_in, auditor):
    trust_a = compliance.trust_a
    response = signed_in(auditor).get(reverse("reports:organisation", args=[trust_a.ods_code]))
    assert response.status_code == 200
    figures = summary(response.content)
    assert figures["Alerts asking for a response"] == "3"
    # X within the window, Y late; Z's window is still open, so it does not count yet.
    assert figures["Acknowledged within the window"] == "1 of 2 (50%)"
    assert figures["Acknowledged late"] == "1"
    assert figures["Not acknowledged by the deadline"] == "0"
    assert figures["Not acknowledged, deadline still to come"] == "1"
    assert figures["Median time to acknowledge"] == "1 day 7 hours"  # 2 and 60 hours
    assert figures["Median time to complete"] == "1 day 2 hours"
    assert figures["Open remediations"] == "2"
    assert figures["Open exceptions (unable to implement)"] == "0"

    rows = table(response.content, history_caption(trust_a))
    assert [row[0].split(":")[0] for row in rows] == [
        compliance.z.threat_id,
        compliance.y.threat_id,
        compliance.x.threat_id,
    ]
    z, y, x = rows
    assert z[1:5] == ["Not yet acknowledged", "Not yet due", "", ""]
    assert y[1:5] == ["In progress", "Late 12 July 2026, 10:00pm", "2 days 12 hours", ""]
    assert y[5].startswith("Update by ")
    assert x[1:6] == ["Complete", "Within the window 1 June 2026, 11:00am", "2 hours", "1 day 2 hours", ""]
    assert "This organisation has no open exceptions." in response.content.decode()


def test_history_of_an_organisation_that_missed_a_deadline(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:organisation", args=[compliance.trust_b.ods_code]))
    figures = summary(response.content)
    assert figures["Acknowledged within the window"] == "0 of 2 (0%)"
    assert figures["Not acknowledged by the deadline"] == "1"
    assert figures["Median time to acknowledge"] == "2 days 2 hours"
    assert figures["Median time to complete"] == "No data"
    rows = table(response.content, history_caption(compliance.trust_b))
    assert [row[2] for row in rows] == ["Missed", "Late 3 June 2026, 11:00am"]


def test_open_exceptions_show_their_review_dates(compliance, signed_in, auditor):
    response = signed_in(auditor).get(reverse("reports:organisation", args=[compliance.foundation_trust.ods_code]))
    figures = summary(response.content)
    assert figures["Open exceptions (unable to implement)"] == "1"
    assert figures["Open remediations"] == "0"
    # The review date, 1 August 2026, has passed.
    assert table(response.content, "Open exceptions, the soonest review first") == [
        [f"{compliance.x.threat_id}: {compliance.x.title}", "1 August 2026 Review due"]
    ]


@pytest.mark.parametrize(("show", "expected"), [("open", ["z", "y"]), ("exceptions", []), ("", ["z", "y", "x"])])
def test_history_filters(compliance, signed_in, auditor, show, expected):
    response = signed_in(auditor).get(
        reverse("reports:organisation", args=[compliance.trust_a.ods_code]), {"show": show}
    )
    if expected:
        rows = table(response.content, history_caption(compliance.trust_a))
        assert [row[0].split(":")[0] for row in rows] == [getattr(compliance, name).threat_id for name in expected]
    else:
        assert "No alerts match." in response.content.decode()


def test_history_filter_of_exceptions(compliance, signed_in, auditor):
    url = reverse("reports:organisation", args=[compliance.foundation_trust.ods_code])
    response = signed_in(auditor).get(url, {"show": "exceptions"})
    rows = table(response.content, history_caption(compliance.foundation_trust))
    assert [row[1] for row in rows] == ["Unable to implement"]
    assert rows[0][5] == "Review on 1 August 2026 Review due"


def test_history_filter_says_what_is_wrong(compliance, signed_in, auditor):
    url = reverse("reports:organisation", args=[compliance.trust_a.ods_code])
    response = signed_in(auditor).get(url, {"show": "everything"})
    assert "Select which alerts to show" in parse(response.content).find(class_="nhsuk-error-summary").text


def test_an_unknown_organisation_is_not_found(compliance, signed_in, auditor):
    assert signed_in(auditor).get(reverse("reports:organisation", args=["ZZZ99"])).status_code == 404


def test_own_members_see_their_organisation_with_a_link_back_to_their_alerts(compliance, signed_in, bob):
    response = signed_in(bob).get(reverse("reports:organisation", args=["raa"]))
    assert response.status_code == 200
    assert parse(response.content).find("a", class_="nhsuk-back-link").get("href") == reverse("home")
