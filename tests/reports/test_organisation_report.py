"""One organisation's history across alerts: figures worked out by hand from the fixture (see conftest)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from respond.accounts.models import GlobalRole
from respond.alerts.models import AlertStatus
from respond.core.audit import Auditor
from respond.publication.services import threat_update_add
from respond.reports import organisation_history as history_module
from respond.reports.organisation_history import (
    organisation_history,
    organisation_responses,
    organisation_summary,
)
from respond.responses import services
from respond.responses.models import Response
from tests.core.html import parse
from tests.factories import OrganisationFactory, global_user
from tests.reports.conftest import X_PUBLISHED, table

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


def add_update(alert, *, at=None):
    """An update to the alert asking the organisations that acknowledged it to acknowledge it again."""
    csoc = global_user(GlobalRole.CSOC)
    with time_machine.travel(at or timezone.now(), tick=False):
        return threat_update_add(
            alert=alert,
            text="A patch is now out: apply it.\n",
            requires_reacknowledgement=True,
            added_by=csoc,
            auditor=Auditor.for_user(csoc),
        )


def test_a_closed_response_owing_an_updates_acknowledgement_is_an_open_remediation(compliance, signed_in, auditor):
    """Trust A completed X; an update to X asks it to acknowledge X again, so X is open until it does."""
    add_update(compliance.x)
    client = signed_in(auditor)
    url = reverse("reports:organisation", args=[compliance.trust_a.ods_code])

    response = client.get(url)
    figures = summary(response.content)
    assert figures["Open remediations"] == "3"  # Y in progress, Z not acknowledged, and X's update
    assert figures["Open exceptions (unable to implement)"] == "0"
    x_row = table(response.content, history_caption(compliance.trust_a))[2]
    assert x_row[1] == "Complete"
    assert "Acknowledge the update by" in x_row[5]
    assert "Overdue" not in x_row[5]

    open_rows = table(client.get(url, {"show": "open"}).content, history_caption(compliance.trust_a))
    assert [row[0].split(":")[0] for row in open_rows] == [
        compliance.z.threat_id,
        compliance.y.threat_id,
        compliance.x.threat_id,
    ]

    x = Response.objects.get(alert=compliance.x, organisation=compliance.trust_a)
    services.response_reacknowledge(
        response=x, user=compliance.responder, version=x.version, auditor=Auditor.for_user(compliance.responder)
    )
    figures = summary(client.get(url).content)
    assert figures["Open remediations"] == "2"


def test_a_not_applicable_response_owing_an_updates_acknowledgement_is_open(compliance, signed_in, auditor):
    add_update(compliance.x, at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))  # due 3 July: long overdue
    response = signed_in(auditor).get(reverse("reports:organisation", args=[compliance.icb.ods_code]))
    assert summary(response.content)["Open remediations"] == "1"
    [x_row] = table(response.content, history_caption(compliance.icb))
    assert x_row[1] == "Not applicable"
    assert "Acknowledge the update by 3 July 2026, 10:00am Overdue" in " ".join(x_row[5].split())


def test_an_exception_owing_an_updates_acknowledgement_is_counted_once_as_an_exception(compliance, signed_in, auditor):
    add_update(compliance.x)
    url = reverse("reports:organisation", args=[compliance.foundation_trust.ods_code])
    figures = summary(signed_in(auditor).get(url).content)
    assert figures["Open exceptions (unable to implement)"] == "1"
    assert figures["Open remediations"] == "0"


def test_open_remediations_and_exceptions_are_every_open_response_once(compliance):
    """The figures partition the responses' own definition of open, so the two cannot drift apart."""
    add_update(compliance.x)
    for organisation in (
        compliance.trust_a,
        compliance.trust_b,
        compliance.icb,
        compliance.csu,
        compliance.foundation_trust,
    ):
        figures = organisation_summary(organisation, now=timezone.now())
        responses = organisation_responses(organisation)
        assert figures.open_remediations + figures.open_exceptions == responses.open().count()
        assert figures.open_remediations == organisation_history(organisation, show="open").count()
        assert figures.open_exceptions == organisation_history(organisation, show="exceptions").count()


def test_a_closed_alert_leaves_nothing_open(compliance):
    add_update(compliance.x)
    compliance.x.status = AlertStatus.CLOSED
    compliance.x.save(update_fields=["status"])
    figures = organisation_summary(compliance.icb, now=timezone.now())
    assert (figures.open_remediations, figures.open_exceptions) == (0, 0)


@pytest.mark.parametrize(
    "now",
    [
        X_PUBLISHED + timedelta(hours=1),  # X's window open: nothing missed yet
        X_PUBLISHED + timedelta(days=3),  # X's window closed
        timezone.now(),  # Y's closed too, Z's open
        timezone.now() + timedelta(days=5),  # every window closed
    ],
)
def test_an_organisations_figures_are_the_aggregates_figures_for_every_organisation_and_time(compliance, now):
    """organisation_summary runs the aggregate's statement as Django wrote it once, with each organisation's id
    and the time put in: it must count what the aggregate itself counts."""
    organisations = [
        compliance.trust_a,
        compliance.trust_b,
        compliance.icb,
        compliance.csu,
        compliance.foundation_trust,
    ]
    for organisation in [*organisations, OrganisationFactory()]:
        assert history_module._figures(organisation.pk, now) == history_module._figures_of(organisation.pk, now)
    assert list(history_module._statements) == ["default"]  # written once
