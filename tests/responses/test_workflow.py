"""The response workflow: acknowledge, then updates with each status's follow-up questions, closing when complete
or not applicable. Every submission is appended to the history; the response shows the latest."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from respond.alerts.models import AlertStatus
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.responses import services
from respond.responses.answers import Answers
from respond.responses.models import EntryAction, NotApplicableReason, ResponseEntry, ResponseStatus
from tests.responses.conftest import acknowledge, make_alert, response_of, update

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def test_a_response_starts_not_acknowledged(alert, trust_a):
    response = response_of(alert, trust_a)
    assert response.status == ResponseStatus.NOT_ACKNOWLEDGED
    assert response.version == 0
    assert response.acknowledged_at is None
    assert not response.entries.exists()


def test_acknowledging_puts_remediation_in_progress_with_an_update_due_in_three_days(alert, trust_a, bob):
    response = acknowledge(response_of(alert, trust_a), bob)
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.acknowledged_at is not None
    assert response.acknowledged_within_window is True
    assert response.next_update_due_on == today() + timedelta(days=3)
    assert response.version == 1
    entry = response.entries.get()
    assert entry.action == EntryAction.ACKNOWLEDGED
    assert entry.status == ResponseStatus.IN_PROGRESS
    assert entry.submitted_by == bob
    assert entry.submitted_by_organisation == trust_a
    assert entry.next_update_due_on == response.next_update_due_on
    assert AuditLog.objects.filter(action="response.acknowledged", object_id=str(response.pk)).count() == 1


def test_the_next_update_interval_is_configurable(alert, trust_a, bob, settings):
    settings.RESPONSE_NEXT_UPDATE_DAYS = 7
    response = acknowledge(response_of(alert, trust_a), bob)
    assert response.next_update_due_on == today() + timedelta(days=7)


def test_acknowledging_can_set_another_next_update_date(alert, trust_a, bob):
    response = response_of(alert, trust_a)
    chosen = today() + timedelta(days=1)
    services.response_acknowledge(
        response=response, user=bob, version=0, next_update_due_on=chosen, auditor=Auditor.for_user(bob)
    )
    response.refresh_from_db()
    assert response.next_update_due_on == chosen


def test_the_next_update_date_cannot_be_in_the_past(alert, trust_a, bob):
    response = response_of(alert, trust_a)
    with pytest.raises(ValidationError) as error:
        services.response_acknowledge(
            response=response,
            user=bob,
            version=0,
            next_update_due_on=today() - timedelta(days=1),
            auditor=Auditor.for_user(bob),
        )
    assert error.value.message_dict == {
        "next_update_due_on": ["Date of your next update must be today or in the future"]
    }
    response.refresh_from_db()
    assert response.status == ResponseStatus.NOT_ACKNOWLEDGED


def test_an_alert_cannot_be_acknowledged_twice(alert, trust_a, bob, alice):
    response = acknowledge(response_of(alert, trust_a), bob)
    with pytest.raises(ValidationError, match="already been acknowledged"):
        acknowledge(response, alice)
    assert response.entries.count() == 1


def test_acknowledging_after_the_window_is_recorded_as_late(trust_a, bob):
    late_alert = make_alert(organisations=[trust_a], published_at=timezone.now() - timedelta(hours=49))
    response = acknowledge(response_of(late_alert, trust_a), bob)
    assert response.acknowledged_within_window is False


def test_the_window_is_the_alerts_own(trust_a, bob):
    short = make_alert(
        organisations=[trust_a], published_at=timezone.now() - timedelta(hours=25), response_window_hours=24
    )
    assert acknowledge(response_of(short, trust_a), bob).acknowledged_within_window is False


def test_in_progress_records_actions_and_dates(alert, trust_a, bob):
    response = acknowledge(response_of(alert, trust_a), bob)
    expected, due = today() + timedelta(days=10), today() + timedelta(days=2)
    response = update(
        response,
        bob,
        ResponseStatus.IN_PROGRESS,
        actions="Testing the vendor patch on two servers",
        expected_completion_on=expected,
        next_update_due_on=due,
    )
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.next_update_due_on == due
    latest = response.entries.order_by("-version").first()
    assert (latest.action, latest.actions, latest.expected_completion_on) == (
        EntryAction.UPDATED,
        "Testing the vendor patch on two servers",
        expected,
    )


def test_complete_closes_the_response(alert, trust_a, bob):
    response = acknowledge(response_of(alert, trust_a), bob)
    response = update(
        response, bob, ResponseStatus.COMPLETE, completed_on=today(), completion_summary="Upgraded to 5.18.3"
    )
    assert response.status == ResponseStatus.COMPLETE
    assert response.closed_at is not None
    assert response.next_update_due_on is None


def test_not_applicable_closes_the_response_and_records_why(alert, trust_a, bob):
    response = update(
        response_of(alert, trust_a),
        bob,
        ResponseStatus.NOT_APPLICABLE,
        not_applicable_reason=NotApplicableReason.NOT_IN_USE,
    )
    assert response.status == ResponseStatus.NOT_APPLICABLE
    assert response.closed_at is not None
    assert response.entries.get().not_applicable_reason == NotApplicableReason.NOT_IN_USE


def test_recording_a_status_first_also_acknowledges(alert, trust_a, bob):
    response = update(
        response_of(alert, trust_a),
        bob,
        ResponseStatus.NOT_APPLICABLE,
        not_applicable_reason=NotApplicableReason.PATCHED_BEFORE,
    )
    assert response.acknowledged_at is not None
    assert response.acknowledged_within_window is True


def test_unable_to_implement_records_the_exception_and_its_review_date(alert, trust_a, bob):
    review = today() + timedelta(days=30)
    response = update(
        acknowledge(response_of(alert, trust_a), bob),
        bob,
        ResponseStatus.UNABLE_TO_IMPLEMENT,
        unable_reason="The supplier has no fix for our version",
        mitigations="The server is cut off from the internet",
        risk_owner="Jo Bloggs, SIRO",
        review_on=review,
    )
    assert response.status == ResponseStatus.UNABLE_TO_IMPLEMENT
    assert response.review_on == review
    assert response.closed_at is None
    assert response.next_update_due_on is None


def test_a_closed_response_can_be_reopened_and_the_first_acknowledgement_is_kept(alert, trust_a, bob, alice):
    response = acknowledge(response_of(alert, trust_a), bob)
    first_acknowledged = response.acknowledged_at
    response = update(response, bob, ResponseStatus.COMPLETE, completed_on=today(), completion_summary="Patched")
    response = update(
        response,
        alice,
        ResponseStatus.IN_PROGRESS,
        actions="Found another affected server",
        expected_completion_on=today() + timedelta(days=3),
        next_update_due_on=today() + timedelta(days=1),
    )
    assert response.status == ResponseStatus.IN_PROGRESS
    assert response.closed_at is None
    assert response.acknowledged_at == first_acknowledged


def test_history_keeps_every_submission_and_the_response_shows_the_latest(alert, trust_a, bob, alice):
    response = acknowledge(response_of(alert, trust_a), bob)
    response = update(
        response,
        alice,
        ResponseStatus.IN_PROGRESS,
        actions="Patching",
        expected_completion_on=today(),
        next_update_due_on=today(),
    )
    response = update(response, bob, ResponseStatus.COMPLETE, completed_on=today(), completion_summary="Done")
    entries = list(response.entries.order_by("version"))
    assert [(entry.version, entry.status, entry.submitted_by) for entry in entries] == [
        (1, ResponseStatus.IN_PROGRESS, bob),
        (2, ResponseStatus.IN_PROGRESS, alice),
        (3, ResponseStatus.COMPLETE, bob),
    ]
    assert entries[1].actions == "Patching"
    assert response.version == 3
    assert response.status == entries[-1].status


def test_history_cannot_be_changed_or_deleted(alert, trust_a, bob):
    response = acknowledge(response_of(alert, trust_a), bob)
    entry = response.entries.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ResponseEntry.objects.filter(pk=entry.pk).update(status=ResponseStatus.COMPLETE)
    with pytest.raises(PermissionError):
        ResponseEntry.objects.filter(pk=entry.pk).delete()


def test_answers_to_questions_of_other_statuses_are_not_kept(alert, trust_a, bob):
    response = update(
        response_of(alert, trust_a),
        bob,
        ResponseStatus.COMPLETE,
        completed_on=today(),
        completion_summary="Done",
        actions="Typed before changing my mind",
        risk_owner="Nobody",
    )
    entry = response.entries.get()
    assert (entry.actions, entry.risk_owner) == ("", "")


def test_another_organisations_people_cannot_respond(alert, trust_a, charlie):
    response = response_of(alert, trust_a)
    with pytest.raises(PermissionDenied):
        acknowledge(response, charlie)
    with pytest.raises(PermissionDenied):
        update(response, charlie, ResponseStatus.NOT_APPLICABLE, not_applicable_reason=NotApplicableReason.NOT_IN_USE)
    assert not response.entries.exists()


@pytest.mark.parametrize("role", ["auditor", "csoc"])
def test_auditors_and_csoc_staff_cannot_respond(request, alert, trust_a, role):
    with pytest.raises(PermissionDenied):
        acknowledge(response_of(alert, trust_a), request.getfixturevalue(role))


def test_someone_responding_on_behalf_is_recorded_with_their_own_organisation(alert, trust_a, lee, csu):
    response = acknowledge(response_of(alert, trust_a), lee)
    entry = response.entries.select_related("response__organisation").get()
    assert entry.submitted_by_organisation == csu
    assert entry.on_behalf_of == trust_a
    assert entry.is_on_behalf
    assert (
        entry.submitter_text == "Lee Lead of Midlands Commissioning Support Unit on behalf of Alpha Hospitals NHS Trust"
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (AlertStatus.CLOSED, "You cannot respond to this alert because it is closed"),
        (AlertStatus.WITHDRAWN, "You cannot respond to this alert because it is withdrawn"),
    ],
)
def test_no_response_once_the_alert_is_closed_or_withdrawn(alert, trust_a, bob, status, message):
    response = response_of(alert, trust_a)
    alert.status = status
    alert.save()
    response.alert.refresh_from_db()
    with pytest.raises(ValidationError, match=message):
        acknowledge(response, bob)


def test_an_alert_that_asks_for_no_response_cannot_be_responded_to(trust_a, bob):
    information = make_alert(organisations=[trust_a], response_required=False)
    services.open_missing_responses(alert=information)
    assert not information.responses.exists()


def test_missing_responses_are_opened_once_for_every_organisation_in_scope(alert, trust_a, trust_b):
    alert.responses.all().delete()  # as for data from before publication opened them
    assert services.open_missing_responses(alert=alert) == 2
    assert services.open_missing_responses(alert=alert) == 0
    assert set(alert.responses.values_list("organisation", flat=True)) == {trust_a.pk, trust_b.pk}


def test_a_reopened_exception_records_the_system_as_submitter(alert, trust_a, bob):
    response = update(
        response_of(alert, trust_a),
        bob,
        ResponseStatus.UNABLE_TO_IMPLEMENT,
        unable_reason="No fix",
        mitigations="Isolated",
        risk_owner="SIRO",
        review_on=today() + timedelta(days=1),
    )
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert services.expire_unable_to_implement() == 1
    latest = response.entries.order_by("-version").first()
    assert latest.submitted_by is None
    assert latest.action == EntryAction.REOPENED
    assert latest.submitter_text == "The service (automatically)"


def test_answers_are_trimmed(alert, trust_a, bob):
    answers = Answers.from_data({"completion_summary": "  Upgraded  ", "completed_on": today(), "unknown": "x"})
    assert answers.completion_summary == "Upgraded"
