"""When reminders go: before the deadline (24 and 4 hours by default), at it, and when dates pass, in London time
across the daylight-saving changes; and what a run that wakes up late sends."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from respond.accounts.models import GlobalRole
from respond.core.audit import Auditor
from respond.followup.models import Reminder, ReminderKind
from respond.followup.reminders import send_reminders
from respond.notifications.models import MessageKind, Notification
from respond.publication.services import threat_update_add
from respond.responses.answers import Answers
from respond.responses.models import EntryAction, Response, ResponseEntry, ResponseStatus
from respond.responses.services import expire_unable_to_implement, response_update
from tests.factories import global_user
from tests.followup.conftest import in_progress, make_alert, set_response

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def run(moment: str):
    with time_machine.travel(at(moment), tick=False):
        return send_reminders()


def digests(kind=MessageKind.REMINDER_EMAIL):
    """(address, subject, body) of each queued message of the kind."""
    return sorted(Notification.objects.filter(kind=kind).values_list("address", "composed__subject", "composed__body"))


def test_reminders_before_a_deadline_on_the_sunday_the_clocks_go_back(trust_a, alice, auditor):
    # Published 9am BST on Friday 23 October 2026: 48 hours later is 8am GMT on Sunday 25 October.
    alert = make_alert(organisations=[trust_a], published_at=at("2026-10-23T09:00+01:00"))
    assert alert.deadline_at == at("2026-10-25T08:00+00:00")

    assert run("2026-10-24T08:59+01:00").reminded == 0  # 24 hours and 1 minute before
    assert run("2026-10-24T09:00+01:00").digests == 1  # exactly 24 hours before: 9am BST on Saturday
    [(address, subject, body)] = digests()
    assert address == "alice@alpha.nhs.uk"
    assert subject == "Alpha Hospitals NHS Trust: 1 cyber alert needs your response"
    assert "Acknowledge by 8:00am on Sunday 25 October 2026" in body
    assert run("2026-10-24T21:00+01:00").reminded == 0  # nothing new

    assert run("2026-10-25T03:59+00:00").reminded == 0
    assert run("2026-10-25T04:00+00:00").digests == 1  # 4 hours before, in GMT now
    assert Notification.objects.filter(kind=MessageKind.REMINDER_EMAIL).count() == 2
    assert set(Reminder.objects.values_list("threshold", flat=True)) == {"24h", "4h"}

    assert run("2026-10-25T07:59+00:00").reminded == 0
    missed = run("2026-10-25T08:00+00:00")  # the deadline: administrators and auditors are told
    assert (missed.reminded, missed.escalations) == (1, 2)
    assert [address for address, _, _ in digests(MessageKind.ESCALATION_EMAIL)] == [
        "alice@alpha.nhs.uk",
        "audrey@england.nhs.uk",
    ]


def test_reminders_before_a_deadline_on_the_sunday_the_clocks_go_forward(trust_a, alice):
    # Published 10am GMT on Friday 26 March 2027: 48 hours later is 11am BST on Sunday 28 March.
    make_alert(organisations=[trust_a], published_at=at("2027-03-26T10:00+00:00"))

    assert run("2027-03-27T09:59+00:00").reminded == 0
    assert run("2027-03-27T10:00+00:00").digests == 1
    assert "Acknowledge by 11:00am on Sunday 28 March 2027" in digests()[0][2]
    assert run("2027-03-28T06:59+01:00").reminded == 0
    assert run("2027-03-28T07:00+01:00").digests == 1  # 4 hours before 11am BST


def test_an_overdue_update_is_reminded_once_the_due_date_is_over_in_london(trust_a, trust_b, alice, charlie):
    autumn = make_alert(organisations=[trust_a], published_at=at("2026-10-20T09:00+01:00"))
    in_progress(autumn, trust_a, next_update_due_on=date(2026, 10, 24))
    spring = make_alert(organisations=[trust_b], published_at=at("2027-03-20T09:00+00:00"))
    in_progress(spring, trust_b, next_update_due_on=date(2027, 3, 27))

    assert run("2026-10-24T23:59+01:00").reminded == 0  # still Saturday in London (22:59 UTC)
    assert run("2026-10-25T00:00+01:00").reminded == 1  # midnight BST: Sunday in London, still Saturday in UTC
    assert "The next update was due on Saturday 24 October 2026" in digests()[0][2]
    assert run("2026-10-26T09:00+00:00").reminded == 0  # once per due date, not every day

    assert run("2027-03-27T23:59+00:00").reminded == 0
    assert run("2027-03-28T00:00+00:00").reminded == 1
    assert ("charlie@beta.nhs.uk", "Beta Hospitals NHS Trust: 1 cyber alert needs your response") in [
        (address, subject) for address, subject, _ in digests()
    ]


def test_a_run_that_wakes_up_late_sends_only_the_latest_reminder(trust_a, alice):
    make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))  # deadline 3 June, noon

    # No run from 30 hours before the deadline until 3 hours before it.
    assert run("2026-06-03T09:00+01:00").digests == 1
    assert list(Reminder.objects.values_list("kind", "threshold")) == [(ReminderKind.BEFORE_DEADLINE, "4h")]
    assert len(digests()) == 1


def test_a_deadline_already_passed_gets_no_before_the_deadline_reminder(trust_a, alice, auditor):
    make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    run("2026-06-03T13:00+01:00")  # an hour after the deadline: the first run in days
    assert digests() == []
    assert list(Reminder.objects.values_list("kind", flat=True)) == [ReminderKind.MISSED_DEADLINE]
    assert len(digests(MessageKind.ESCALATION_EMAIL)) == 2


def test_deadlines_missed_long_before_a_run_are_not_escalated(trust_a, alice, auditor, settings):
    settings.REMINDER_CATCH_UP_HOURS = 48
    make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    assert run("2026-06-05T12:01+01:00").reminded == 0  # 48 hours and a minute after the deadline
    assert Notification.objects.count() == 0


def test_the_hours_before_the_deadline_can_be_configured(trust_a, alice, settings):
    settings.REMINDER_HOURS_BEFORE_DEADLINE = "1"
    make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    assert run("2026-06-02T12:00+01:00").reminded == 0  # 24 hours before: not configured
    assert run("2026-06-03T11:00+01:00").digests == 1
    assert list(Reminder.objects.values_list("threshold", flat=True)) == ["1h"]


def test_an_exception_reaching_its_review_date_is_reminded_once_even_after_it_reopens(trust_a, alice, bob):
    alert = make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    response = set_response(
        alert, trust_a, status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on=date(2026, 7, 1), version=1
    )
    ResponseEntry.objects.create(
        response=response, version=1, action=EntryAction.UPDATED, status=ResponseStatus.UNABLE_TO_IMPLEMENT,
        review_on=date(2026, 7, 1), submitted_by=bob, submitted_by_organisation=trust_a,
    )  # fmt: skip
    assert run("2026-06-30T23:59+01:00").reminded == 0

    # Reopened by respond.responses at ten past midnight, before this job ran.
    with time_machine.travel(at("2026-07-01T00:10+01:00"), tick=False):
        ResponseEntry.objects.create(
            response=response, version=2, action=EntryAction.REOPENED, status=ResponseStatus.IN_PROGRESS,
            next_update_due_on=date(2026, 7, 1),
        )  # fmt: skip
    set_response(alert, trust_a, status=ResponseStatus.IN_PROGRESS, review_on=None, version=2,
                 next_update_due_on=date(2026, 7, 1))  # fmt: skip

    assert run("2026-07-01T00:15+01:00").digests == 1
    assert list(Reminder.objects.values_list("kind", "threshold")) == [(ReminderKind.REVIEW_DUE, "2026-07-01")]
    body = digests()[0][2]
    assert "Exception review date reached" in body
    assert 'The "unable to implement" exception was to be reviewed on Wednesday 1 July 2026' in body
    assert run("2026-07-01T09:00+01:00").reminded == 0


def test_an_exception_not_yet_reopened_is_reminded_on_its_review_date(trust_a, alice):
    alert = make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    set_response(alert, trust_a, status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on=date(2026, 7, 1))
    assert run("2026-07-01T00:01+01:00").digests == 1
    assert list(Reminder.objects.values_list("threshold", flat=True)) == ["2026-07-01"]
    assert run("2026-07-01T00:01+01:00").reminded == 0


def reopened_exception(alert, organisation, bob):
    """An exception to review on 1 July 2026, reopened by respond.responses at ten past midnight that day."""
    response = set_response(
        alert, organisation, status=ResponseStatus.UNABLE_TO_IMPLEMENT, review_on=date(2026, 7, 1), version=1,
        acknowledged_at=at("2026-06-01T13:00+01:00"),
    )  # fmt: skip
    ResponseEntry.objects.create(
        response=response, version=1, action=EntryAction.UPDATED, status=ResponseStatus.UNABLE_TO_IMPLEMENT,
        review_on=date(2026, 7, 1), submitted_by=bob, submitted_by_organisation=organisation,
    )  # fmt: skip
    with time_machine.travel(at("2026-07-01T00:10+01:00"), tick=False):
        expire_unable_to_implement()
    return Response.objects.get(pk=response.pk)


def add_update(alert, *, moment: str) -> None:
    csoc = global_user(GlobalRole.CSOC)
    with time_machine.travel(at(moment), tick=False):
        threat_update_add(
            alert=alert, text="A patch is out.\n", requires_reacknowledgement=True, added_by=csoc,
            auditor=Auditor.for_user(csoc),
        )  # fmt: skip


def test_a_reopened_exception_is_reminded_even_if_an_update_asked_for_an_acknowledgement_since(trust_a, alice, bob):
    alert = make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    reopened_exception(alert, trust_a, bob)
    add_update(alert, moment="2026-07-01T00:12+01:00")  # its entry is now the latest, keeping "in progress"
    response = Response.objects.get(alert=alert, organisation=trust_a)
    assert [entry.action for entry in response.entries.all()] == [
        EntryAction.UPDATED,
        EntryAction.REOPENED,
        EntryAction.REACKNOWLEDGEMENT_REQUESTED,
    ]

    assert run("2026-07-01T00:15+01:00").digests == 1
    assert list(Reminder.objects.values_list("kind", "threshold")) == [(ReminderKind.REVIEW_DUE, "2026-07-01")]
    assert 'The "unable to implement" exception was to be reviewed on Wednesday 1 July 2026' in digests()[0][2]
    assert run("2026-07-01T09:00+01:00").reminded == 0


def test_a_reopened_exception_given_a_new_status_since_is_not_reminded(trust_a, alice, bob):
    alert = make_alert(organisations=[trust_a], published_at=at("2026-06-01T12:00+01:00"))
    response = reopened_exception(alert, trust_a, bob)
    with time_machine.travel(at("2026-07-01T00:11+01:00"), tick=False):
        response_update(
            response=response, user=bob, version=response.version, status=ResponseStatus.IN_PROGRESS,
            answers=Answers(actions="Patching this week", expected_completion_on=date(2026, 7, 10),
                    next_update_due_on=date(2026, 7, 3)),
            auditor=Auditor.for_user(bob),
        )  # fmt: skip
    add_update(alert, moment="2026-07-01T00:12+01:00")

    assert run("2026-07-01T00:15+01:00").reminded == 0
