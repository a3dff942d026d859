"""Raising a published alert to high severity asks every organisation in scope to respond, counted from the raise:
the deadline the response page, "Your alerts", reminders, reports, the calendar feed and exports all use, and the
one the raise's email gives. Lowering the severity keeps the deadline."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from respond.alerts.models import Severity, ThreatUpdate
from respond.core.audit import Auditor
from respond.followup.reminders import send_reminders
from respond.notifications.messages import render_message
from respond.notifications.models import MessageKind, Notification
from respond.publication import services as publication
from respond.reports.organisation_history import organisation_summary
from respond.reports.services import alert_report
from respond.responses.models import Response, ResponseStatus
from tests.core.html import parse
from tests.exports.test_calendar_feed import create_feed, read_feed
from tests.responses.conftest import acknowledge

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 10am in London (BST)
RAISED = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)  # three days later: 48 hours from publication have passed
DEADLINE = RAISED + timedelta(hours=48)  # 10:00am BST on Saturday 6 June 2026


def raise_to_high(alert, csoc, *, reason="Exploited in the wild"):
    with time_machine.travel(RAISED, tick=False):
        return publication.alert_change_severity(
            alert=alert, severity=Severity.HIGH, reason=reason, changed_by=csoc, auditor=Auditor.for_user(csoc)
        )


@pytest.fixture
def raised(make_published, csoc, trust_a, trust_b, bob, charlie):
    """Published as low severity, asking no response; raised to high three days later."""
    with time_machine.travel(PUBLISHED, tick=False):
        alert = make_published(severity=Severity.LOW, response_required=False)
    assert alert.deadline_at is None
    return raise_to_high(alert, csoc)


def test_the_deadline_counts_from_the_raise(raised, trust_a, trust_b):
    assert raised.responses_asked_at == RAISED
    assert raised.deadline_at == DEADLINE
    assert set(Response.objects.filter(alert=raised).values_list("organisation", "status")) == {
        (trust_a.pk, ResponseStatus.NOT_ACKNOWLEDGED),
        (trust_b.pk, ResponseStatus.NOT_ACKNOWLEDGED),
    }


def test_the_raise_emails_everyone_in_scope_with_the_new_deadline(raised):
    update = ThreatUpdate.objects.get(alert=raised)
    assert update.asks_for_responses
    assert not update.requires_reacknowledgement
    assert "raised from low to high: Exploited in the wild" in update.text
    emailed = Notification.objects.filter(alert=raised, update=update, kind=MessageKind.EMAIL)
    assert set(emailed.values_list("address", flat=True)) == {"bob@alpha.nhs.uk", "charlie@beta.nhs.uk"}
    message = render_message(alert=raised, update=update, kind=MessageKind.EMAIL, for_contact=False)
    assert message.subject == f"Now high severity, response needed: {raised.threat_id}: {raised.title}"
    assert (
        "Every organisation this alert applies to must now record its response. If your organisation has not "
        "acknowledged the alert yet, acknowledge it by 10:00am on Saturday 6 June 2026" in message.body
    )


def test_pages_show_the_new_deadline_and_time_left(raised, signed_in, bob):
    client = signed_in(bob)
    with time_machine.travel(RAISED + timedelta(hours=1), tick=False):
        dashboard = client.get("/").content.decode()
        detail = client.get(f"/responses/{raised.threat_id}/RAA/").content.decode()
    assert "6 June 2026, 10:00am" in dashboard
    assert "1 day 23 hours left" in dashboard
    assert "Overdue" not in [tag.text for tag in parse(dashboard).find_all("strong", class_="nhsuk-tag")]
    assert "1 day 23 hours left" in detail


def test_acknowledging_by_the_new_deadline_is_in_time(raised, trust_a, trust_b, bob):
    with time_machine.travel(DEADLINE - timedelta(minutes=1), tick=False):
        response = acknowledge(Response.objects.get(alert=raised, organisation=trust_a), bob)
    assert response.acknowledged_within_window is True
    with time_machine.travel(DEADLINE + timedelta(hours=1), tick=False):
        figures = alert_report(alert=raised, now=DEADLINE + timedelta(hours=1)).figures
        before = organisation_summary(trust_b, now=DEADLINE - timedelta(hours=1))
        after = organisation_summary(trust_b, now=DEADLINE + timedelta(hours=1))
    assert (figures.acknowledgements.within_window, figures.acknowledgements.late) == (1, 0)
    assert (before.missed, before.not_yet_due, after.missed) == (0, 1, 1)


def test_reminders_count_down_to_the_new_deadline(raised):
    with time_machine.travel(RAISED + timedelta(minutes=5), tick=False):
        first = send_reminders()
    assert (first.reminded, first.escalations) == (0, 0)  # the publication deadline has passed, but does not count
    with time_machine.travel(DEADLINE - timedelta(hours=24), tick=False):
        assert send_reminders().digests == 2
    with time_machine.travel(DEADLINE, tick=False):
        assert send_reminders().escalations > 0


def test_the_calendar_and_exports_give_the_new_deadline(raised, signed_in, bob):
    client = signed_in(bob)
    path = create_feed(client)
    with time_machine.travel(RAISED + timedelta(hours=1), tick=False):
        [event] = read_feed(path).walk("VEVENT")
        exported = client.get(f"/exports/alerts/{raised.threat_id}/responses.csv")
    assert event.decoded("dtstart") == DEADLINE
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert [row["Acknowledge by"] for row in rows] == ["2026-06-06T10:00:00+01:00"]


def test_lowering_keeps_the_deadline_and_sends_nothing(make_published, csoc, trust_a):
    with time_machine.travel(PUBLISHED, tick=False):
        alert = make_published(severity=Severity.HIGH)
    sent = Notification.objects.count()
    with time_machine.travel(RAISED, tick=False):
        publication.alert_change_severity(
            alert=alert, severity=Severity.MEDIUM, reason="Contained", changed_by=csoc, auditor=Auditor.for_user(csoc)
        )
    assert alert.deadline_at == PUBLISHED + timedelta(hours=48)
    assert alert.responses_asked_at is None
    assert not ThreatUpdate.objects.filter(alert=alert).exists()
    assert Notification.objects.count() == sent


def test_raising_an_alert_that_already_asks_for_responses_keeps_its_deadline(make_published, csoc, trust_a):
    with time_machine.travel(PUBLISHED, tick=False):
        alert = make_published(severity=Severity.MEDIUM, response_required=True)
    sent = Notification.objects.count()
    raise_to_high(alert, csoc)
    assert alert.deadline_at == PUBLISHED + timedelta(hours=48)
    assert not ThreatUpdate.objects.filter(alert=alert).exists()
    assert Notification.objects.count() == sent
