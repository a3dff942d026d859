"""An update asking organisations to acknowledge an alert again has its own deadline: the reminder job reminds it
before (24 and 4 hours by default, keyed by the update, so a later update is reminded afresh) and, once missed,
tells the organisation's administrators and the auditors, as for the alert's own deadline."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from respond.accounts.models import GlobalRole, Role
from respond.alerts.models import AlertStatus, ThreatUpdate
from respond.core.audit import Auditor
from respond.followup.models import Reminder, ReminderKind
from respond.followup.reminders import send_reminders
from respond.notifications.models import MessageKind, Notification
from respond.publication import services as publication
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import Response, ResponseStatus
from tests.factories import MembershipFactory, global_user
from tests.followup.conftest import make_alert

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(moment: str):
    with time_machine.travel(at(moment), tick=False):
        return send_reminders()


def digests(kind=MessageKind.REMINDER_EMAIL):
    """(address, subject, body) of each queued message of the kind."""
    return sorted(Notification.objects.filter(kind=kind).values_list("address", "composed__subject", "composed__body"))


def response_of(alert, organisation) -> Response:
    return Response.objects.select_related("alert", "organisation").get(alert=alert, organisation=organisation)


def acknowledge(alert, organisation, user, *, moment: str, complete: bool = False) -> Response:
    """Acknowledged through the service, and completed too if asked (so no next update is owed)."""
    with time_machine.travel(at(moment), tick=False):
        response = response_of(alert, organisation)
        auditor = Auditor.for_user(user)
        services.response_acknowledge(response=response, user=user, version=response.version, auditor=auditor)
        if complete:
            response.refresh_from_db()
            services.response_update(
                response=response,
                user=user,
                version=response.version,
                status=ResponseStatus.COMPLETE,
                answers=Answers(completed_on=at(moment).date(), completion_summary="Upgraded to 9.1"),
                auditor=auditor,
            )
    return response_of(alert, organisation)


def add_update(alert, *, moment: str) -> ThreatUpdate:
    csoc = global_user(GlobalRole.CSOC)
    with time_machine.travel(at(moment), tick=False):
        return publication.threat_update_add(
            alert=alert,
            text="A patch is now out: apply it.\n",
            requires_reacknowledgement=True,
            added_by=csoc,
            auditor=Auditor.for_user(csoc),
        )


def reacknowledge(response: Response, user, *, moment: str) -> None:
    with time_machine.travel(at(moment), tick=False):
        services.response_reacknowledge(
            response=response, user=user, version=response.version, auditor=Auditor.for_user(user)
        )


@pytest.fixture
def owing(trust_a, alice, bob):
    """Trust A acknowledged and completed; an update added at 9am BST on Friday 23 October 2026 asks it to
    acknowledge the alert again within the alert's 48 hours: by 8am GMT on Sunday 25 October, after the clocks
    go back."""
    alert = make_alert(organisations=[trust_a], published_at=at("2026-10-19T09:00+01:00"))
    acknowledge(alert, trust_a, bob, moment="2026-10-19T10:00+01:00", complete=True)
    update = add_update(alert, moment="2026-10-23T09:00+01:00")
    response = response_of(alert, trust_a)
    assert response.reacknowledgement_due_at == at("2026-10-25T08:00+00:00")
    assert response.status == ResponseStatus.COMPLETE
    return alert, update, response


def test_an_update_to_acknowledge_is_reminded_before_its_deadline_when_the_clocks_go_back(owing, auditor):
    alert, update, _ = owing

    assert run("2026-10-24T08:59+01:00").reminded == 0  # 24 hours and 1 minute before
    assert run("2026-10-24T09:00+01:00").digests == 1  # 24 hours before: 9am BST on Saturday
    assert [(address, subject) for address, subject, _ in digests()] == [
        ("alice@alpha.nhs.uk", "Alpha Hospitals NHS Trust: 1 cyber alert needs your response"),
        ("bob@alpha.nhs.uk", "Alpha Hospitals NHS Trust: 1 cyber alert needs your response"),
    ]
    body = digests()[0][2]
    assert "# Acknowledge an update before its deadline" in body
    assert f"* {alert.threat_id}: {alert.title}" in body
    assert "Acknowledge the update to this alert by 8:00am on Sunday 25 October 2026" in body
    assert f"https://cyber-alerts.example.nhs.uk/responses/{alert.threat_id}/RAA/" in body
    assert "# Acknowledge before the deadline" not in body  # the alert itself was acknowledged long ago
    assert run("2026-10-24T21:00+01:00").reminded == 0

    assert run("2026-10-25T03:59+00:00").reminded == 0
    assert run("2026-10-25T04:00+00:00").digests == 1  # 4 hours before, in GMT now
    assert sorted(Reminder.objects.values_list("kind", "threshold")) == [
        (ReminderKind.REACKNOWLEDGEMENT_DUE, f"u{update.pk}-24h"),
        (ReminderKind.REACKNOWLEDGEMENT_DUE, f"u{update.pk}-4h"),
    ]

    assert run("2026-10-25T08:00+00:00").reminded == 0  # at the deadline it can still be given on time
    missed = run("2026-10-25T08:15+00:00")
    assert (missed.reminded, missed.digests, missed.escalations) == (1, 0, 2)
    escalations = digests(MessageKind.ESCALATION_EMAIL)
    assert [address for address, _, _ in escalations] == ["alice@alpha.nhs.uk", "audrey@england.nhs.uk"]  # not bob
    for _, subject, body in escalations:
        assert subject == (
            f"Missed deadline: 1 organisation did not acknowledge the update to {alert.threat_id}: {alert.title} "
            "in time"
        )
        assert "Alpha Hospitals NHS Trust (RAA)" in body
        assert "The update had to be acknowledged by 8:00am on Sunday 25 October 2026" in body
        assert "# Alerts not acknowledged" not in body
    assert "did not acknowledge updates to cyber alerts by the deadline" in escalations[1][2]
    assert run("2026-10-25T09:00+00:00").reminded == 0
    assert len(digests(MessageKind.ESCALATION_EMAIL)) == 2


def test_an_update_acknowledged_in_time_is_not_reminded_or_escalated_and_a_later_one_is_reminded_afresh(
    owing, bob, auditor
):
    alert, first, response = owing
    run("2026-10-24T09:00+01:00")  # the first update's 24-hour reminder
    reacknowledge(response, bob, moment="2026-10-24T10:00+01:00")
    assert run("2026-10-25T04:00+00:00").reminded == 0  # nothing owed any more: no 4-hour reminder
    assert run("2026-10-25T08:15+00:00").reminded == 0  # and nothing missed
    assert digests(MessageKind.ESCALATION_EMAIL) == []

    second = add_update(alert, moment="2026-10-26T12:00+00:00")  # due at noon on Wednesday 28 October
    assert run("2026-10-27T12:00+00:00").digests == 1
    assert sorted(Reminder.objects.values_list("threshold", flat=True)) == [f"u{first.pk}-24h", f"u{second.pk}-24h"]
    latest = [body for _, _, body in digests() if "Wednesday 28 October 2026" in body]
    assert len(latest) == 2  # alice's and bob's
    assert "Acknowledge the update to this alert by 12:00pm on Wednesday 28 October 2026" in latest[0]


def test_a_run_that_wakes_up_late_sends_only_the_latest_reminder_of_an_update(owing):
    _, update, _ = owing
    # No run from 30 hours before the update's deadline until 3 hours before it.
    assert run("2026-10-25T05:00+00:00").digests == 1
    assert list(Reminder.objects.values_list("kind", "threshold")) == [
        (ReminderKind.REACKNOWLEDGEMENT_DUE, f"u{update.pk}-4h")
    ]
    assert len(digests()) == 2  # alice and bob, once each


def test_a_missed_update_is_escalated_within_the_catch_up_window_only(owing, auditor, settings):
    settings.REMINDER_CATCH_UP_HOURS = 48
    # The first run in days: an hour after the deadline, no "before the deadline" reminder, just the escalation.
    assert run("2026-10-25T09:00+00:00").reminded == 1
    assert list(Reminder.objects.values_list("kind", flat=True)) == [ReminderKind.REACKNOWLEDGEMENT_MISSED]
    assert digests() == []
    assert len(digests(MessageKind.ESCALATION_EMAIL)) == 2


def test_an_update_missed_long_before_a_run_is_not_escalated(owing, auditor, settings):
    settings.REMINDER_CATCH_UP_HOURS = 48
    assert run("2026-10-27T08:01+00:00").reminded == 0  # 48 hours and a minute after the deadline
    assert digests(MessageKind.ESCALATION_EMAIL) == []


def test_administrators_get_one_digest_of_missed_alerts_and_missed_updates(trust_a, trust_b, alice, bob, charlie):
    """Trust A did not acknowledge one alert; Trust B acknowledged another but not the update to it. Alice
    administers both and gets one digest listing both; Charlie, only Trust B's."""
    auditor = global_user(GlobalRole.AUDITOR, email="audrey@england.nhs.uk")
    MembershipFactory(user=alice, organisation=trust_b, role=Role.ADMINISTRATOR)
    missed_alert = make_alert(organisations=[trust_a], published_at=at("2026-06-08T10:00+00:00"))  # due 10 June
    updated = make_alert(organisations=[trust_b], published_at=at("2026-06-01T10:00+00:00"))
    acknowledge(updated, trust_b, charlie, moment="2026-06-01T11:00+00:00", complete=True)
    add_update(updated, moment="2026-06-08T11:00+00:00")  # due at 11am UTC on 10 June

    ran = run("2026-06-10T11:30+00:00")

    assert (ran.reminded, ran.escalations) == (2, 3)
    escalations = {address: (subject, body) for address, subject, body in digests(MessageKind.ESCALATION_EMAIL)}
    assert set(escalations) == {"alice@alpha.nhs.uk", "charlie@beta.nhs.uk", auditor.email}
    subject, body = escalations["alice@alpha.nhs.uk"]
    assert subject == "Missed deadlines: 2 organisations did not acknowledge cyber alerts or updates to them in time"
    assert "did not acknowledge cyber alerts, or updates to them, by the deadline" in body
    assert body.index("# Alerts not acknowledged") < body.index(missed_alert.threat_id)
    assert body.index("# Updates not acknowledged") < body.index(updated.threat_id)
    assert "Beta Hospitals NHS Trust (RBB)" in body
    assert escalations[auditor.email][1] == body.replace(
        "These organisations you administer did not acknowledge cyber alerts, or updates to them, by the deadline. "
        "Please respond now.",
        "These organisations did not acknowledge cyber alerts, or updates to them, by the deadline.",
    ).replace("you are an administrator", "you are an auditor")
    charlie_subject, charlie_body = escalations["charlie@beta.nhs.uk"]
    assert charlie_subject.startswith("Missed deadline: 1 organisation did not acknowledge the update to")
    assert missed_alert.threat_id not in charlie_body


def test_an_alert_listed_for_an_update_and_an_overdue_next_update_counts_once(trust_a, alice, bob):
    alert = make_alert(organisations=[trust_a], published_at=at("2026-06-01T10:00+00:00"))
    acknowledge(alert, trust_a, bob, moment="2026-06-01T11:00+00:00")  # next update due in a few days
    add_update(alert, moment="2026-06-09T13:00+00:00")  # due at 1pm UTC on 11 June
    assert response_of(alert, trust_a).next_update_due_on < date(2026, 6, 10)

    assert run("2026-06-10T13:00+00:00").digests == 1
    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == [ReminderKind.REACKNOWLEDGEMENT_DUE, ReminderKind.UPDATE_OVERDUE]
    _, subject, body = digests()[0]
    assert subject == "Alpha Hospitals NHS Trust: 1 cyber alert needs your response"
    assert "# Acknowledge an update before its deadline" in body
    assert "# Next update overdue" in body


def test_an_update_to_a_closed_alert_is_not_reminded(owing):
    alert, _, _ = owing
    alert.status = AlertStatus.CLOSED
    alert.save(update_fields=["status"])
    assert run("2026-10-24T09:00+01:00").reminded == 0
    assert run("2026-10-25T09:00+00:00").reminded == 0
