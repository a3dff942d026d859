"""Draft, submit, approve (by someone else), publish; then updates, severity, close and withdraw."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from respond.alerts import services
from respond.alerts.models import AlertSeverityChange, AlertStatus, Severity
from respond.core.audit import Auditor
from respond.core.models import AuditLog
from respond.notifications.models import Notification
from respond.publication import services as publication
from respond.responses.models import Response, ResponseStatus
from tests.alerts.conftest import make_content

pytestmark = pytest.mark.django_db


def audit(user):
    return Auditor.for_user(user)


def test_a_draft_moves_through_approval_to_publication(make_draft, csoc, dana, trust_a, bob):
    alert = make_draft()
    assert alert.status == AlertStatus.DRAFT
    assert alert.threat_id is None

    services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=audit(csoc))
    assert alert.status == AlertStatus.AWAITING_APPROVAL
    services.alert_approve(alert=alert, approved_by=dana, auditor=audit(dana))
    assert alert.status == AlertStatus.APPROVED
    assert alert.approved_by == dana
    publication.alert_publish(alert=alert, published_by=csoc, auditor=audit(csoc))

    assert alert.status == AlertStatus.PUBLISHED
    assert alert.threat_id.startswith("CC-")
    assert alert.published_at is not None
    assert alert.deadline_at is not None
    assert list(alert.organisations.all()) == [trust_a]
    # Published with its notifications: bob, Trust A's responder, gets an email.
    assert Notification.objects.filter(alert=alert, address=bob.email).count() == 1
    # Trust A owes a response from the moment of publication: reports count it as not yet acknowledged.
    assert [(r.organisation, r.version) for r in alert.responses.all()] == [(trust_a, 0)]
    assert [(change.from_severity, change.to_severity) for change in alert.severity_changes.all()] == [("", "high")]
    summaries = list(alert.versions.values_list("summary", flat=True))
    assert summaries[:3] == ["Draft created", "Submitted for approval", "Approved for publication"]
    assert summaries[3].startswith(f"Published as {alert.threat_id}")
    actions = set(AuditLog.objects.filter(object_id=str(alert.pk)).values_list("action", flat=True))
    assert actions == {"alert.created", "alert.submitted", "alert.approved", "alert.published"}


def test_the_author_cannot_approve_their_own_alert(make_draft, csoc):
    alert = make_draft()
    services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=audit(csoc))
    with pytest.raises(ValidationError, match="you cannot approve it"):
        services.alert_approve(alert=alert, approved_by=csoc, auditor=audit(csoc))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.AWAITING_APPROVAL
    assert alert.approved_by is None


def test_someone_who_edited_the_draft_cannot_approve_it(make_draft, csoc, dana):
    alert = make_draft()
    services.alert_update_draft(alert=alert, content=make_content(title="Edited"), updated_by=dana, auditor=audit(dana))
    services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=audit(csoc))
    with pytest.raises(ValidationError, match="you cannot approve it"):
        services.alert_approve(alert=alert, approved_by=dana, auditor=audit(dana))


def test_only_csoc_staff_can_approve(make_draft, csoc, auditor):
    alert = make_draft()
    services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=audit(csoc))
    with pytest.raises(ValidationError, match="Only CSOC staff"):
        services.alert_approve(alert=alert, approved_by=auditor, auditor=audit(auditor))


def test_publishing_needs_approval_by_default(make_draft, csoc):
    alert = make_draft()
    with pytest.raises(ValidationError, match="because it is draft"):
        publication.alert_publish(alert=alert, published_by=csoc, auditor=audit(csoc))
    services.alert_submit_for_approval(alert=alert, submitted_by=csoc, auditor=audit(csoc))
    with pytest.raises(ValidationError, match="because it is awaiting approval"):
        publication.alert_publish(alert=alert, published_by=csoc, auditor=audit(csoc))
    alert.refresh_from_db()
    assert alert.threat_id is None


@override_settings(ALERT_PUBLISH_REQUIRES_APPROVAL=False)
def test_without_the_approval_setting_a_draft_can_be_published_at_once(make_draft, csoc, trust_a):
    alert = publication.alert_publish(alert=make_draft(), published_by=csoc, auditor=audit(csoc))
    assert alert.status == AlertStatus.PUBLISHED
    assert alert.approved_by is None


def test_editing_an_approved_alert_sends_it_back_to_draft(make_approved, csoc):
    alert = make_approved()
    services.alert_update_draft(
        alert=alert, content=make_content(title="Changed"), updated_by=csoc, auditor=audit(csoc)
    )
    assert alert.status == AlertStatus.DRAFT
    assert alert.approved_by is None
    assert alert.submitted_by is None
    assert "approved again" in alert.versions.last().summary
    with pytest.raises(ValidationError):
        publication.alert_publish(alert=alert, published_by=csoc, auditor=audit(csoc))


def test_an_alert_cannot_be_published_twice(make_published, csoc):
    alert = make_published()
    threat_id = alert.threat_id
    with pytest.raises(ValidationError, match="because it is published"):
        publication.alert_publish(alert=alert, published_by=csoc, auditor=audit(csoc))
    alert.refresh_from_db()
    assert alert.threat_id == threat_id


def test_a_published_alert_can_no_longer_be_edited(make_published, csoc):
    alert = make_published()
    with pytest.raises(ValidationError, match="cannot edit"):
        services.alert_update_draft(alert=alert, content=make_content(), updated_by=csoc, auditor=audit(csoc))


def test_threat_updates_are_appended_and_can_ask_for_acknowledgement_again(make_published, csoc, bob):
    alert = make_published()
    first = publication.threat_update_add(
        alert=alert, text="Exploitation seen.", requires_reacknowledgement=False, added_by=csoc, auditor=audit(csoc)
    )
    assert Notification.objects.filter(alert=alert, update=first).count() == 0
    second = publication.threat_update_add(
        alert=alert, text="New fix **released**.", requires_reacknowledgement=True, added_by=csoc, auditor=audit(csoc)
    )
    assert list(alert.updates.all()) == [first, second]
    # Everyone in scope is told again, in the same transaction as the update.
    assert Notification.objects.filter(alert=alert, update=second, address=bob.email).count() == 1
    assert "<strong>released</strong>" in second.text_html
    assert alert.versions.last().summary == "Threat update added, to be acknowledged again"


def test_an_update_to_acknowledge_again_is_owed_by_organisations_that_acknowledged(make_published, csoc, bob):
    from respond.responses import services as response_services
    from respond.responses.models import EntryAction, Response, ResponseStatus

    alert = make_published()
    response = Response.objects.select_related("alert", "organisation").get(alert=alert, organisation=bob.organisation)
    response_services.response_acknowledge(response=response, user=bob, version=0, auditor=audit(bob))
    update = publication.threat_update_add(
        alert=alert, text="New fix released.", requires_reacknowledgement=True, added_by=csoc, auditor=audit(csoc)
    )
    response.refresh_from_db()
    assert update.reacknowledge_by == update.created_at + timedelta(hours=alert.response_window_hours)
    assert (response.status, response.reacknowledgement_due_at) == (ResponseStatus.IN_PROGRESS, update.reacknowledge_by)
    assert response.entries.order_by("-version").first().action == EntryAction.REACKNOWLEDGEMENT_REQUESTED
    # Organisations yet to acknowledge owe only their first acknowledgement.
    assert not Response.objects.filter(alert=alert, status=ResponseStatus.NOT_ACKNOWLEDGED).exclude(
        reacknowledgement_due_at=None
    )


def test_an_invalid_update_asks_nobody_to_acknowledge_again(make_published, csoc, bob):
    from respond.responses import services as response_services
    from respond.responses.models import Response

    alert = make_published()
    response = Response.objects.select_related("alert", "organisation").get(alert=alert, organisation=bob.organisation)
    response_services.response_acknowledge(response=response, user=bob, version=0, auditor=audit(bob))
    with pytest.raises(ValidationError):
        publication.threat_update_add(
            alert=alert, text="<script>x</script>", requires_reacknowledgement=True, added_by=csoc, auditor=audit(csoc)
        )
    response.refresh_from_db()
    assert (response.version, response.reacknowledgement_due_at) == (1, None)


def test_a_threat_update_needs_text_and_safe_markdown(make_published, csoc):
    alert = make_published()
    with pytest.raises(ValidationError) as empty:
        publication.threat_update_add(
            alert=alert, text="  ", requires_reacknowledgement=True, added_by=csoc, auditor=audit(csoc)
        )
    assert empty.value.message_dict == {"text": ["Enter the update"]}
    with pytest.raises(ValidationError, match="Remove the HTML"):
        publication.threat_update_add(
            alert=alert,
            text="<script>alert(1)</script>",
            requires_reacknowledgement=True,
            added_by=csoc,
            auditor=audit(csoc),
        )
    assert alert.updates.count() == 0
    assert Notification.objects.filter(alert=alert, update__isnull=False).count() == 0


def test_updates_go_only_on_published_alerts(make_draft, csoc):
    with pytest.raises(ValidationError, match="because it is draft"):
        publication.threat_update_add(
            alert=make_draft(), text="x", requires_reacknowledgement=False, added_by=csoc, auditor=audit(csoc)
        )


def test_a_severity_change_is_recorded_with_its_reason(make_published, csoc):
    alert = make_published()
    publication.alert_change_severity(
        alert=alert, severity=Severity.MEDIUM, reason="No exploitation seen", changed_by=csoc, auditor=audit(csoc)
    )
    assert alert.severity == Severity.MEDIUM
    change = AlertSeverityChange.objects.filter(alert=alert).last()
    assert (change.from_severity, change.to_severity, change.reason) == ("high", "medium", "No exploitation seen")
    assert AuditLog.objects.filter(action="alert.severity_changed", object_id=str(alert.pk)).exists()


def test_a_severity_change_needs_a_new_severity_and_a_reason(make_published, csoc):
    alert = make_published()
    with pytest.raises(ValidationError) as error:
        publication.alert_change_severity(
            alert=alert, severity=Severity.HIGH, reason="", changed_by=csoc, auditor=audit(csoc)
        )
    assert error.value.message_dict == {
        "severity": ["The severity is already high: select another"],
        "reason": ["Enter why the severity is changing"],
    }


def test_raising_the_severity_to_high_requires_a_response(make_published, csoc, trust_a):
    alert = make_published(severity=Severity.LOW, response_required=False)
    assert alert.deadline_at is None
    assert not Response.objects.filter(alert=alert).exists()
    publication.alert_change_severity(
        alert=alert, severity=Severity.HIGH, reason="Exploited", changed_by=csoc, auditor=audit(csoc)
    )
    assert alert.response_required
    assert alert.deadline_at is not None
    # Every organisation in scope now owes an acknowledgement (by when: see test_severity_raise.py).
    opened = Response.objects.filter(alert=alert)
    assert list(opened.values_list("organisation", "status")) == [(trust_a.pk, ResponseStatus.NOT_ACKNOWLEDGED)]


def test_closing_and_withdrawing_need_a_reason(make_published, csoc):
    alert = make_published()
    with pytest.raises(ValidationError, match="Enter why you are closing"):
        services.alert_close(alert=alert, reason=" ", closed_by=csoc, auditor=audit(csoc))
    services.alert_close(alert=alert, reason="Fixed everywhere", closed_by=csoc, auditor=audit(csoc))
    assert alert.status == AlertStatus.CLOSED
    assert alert.closed_reason == "Fixed everywhere"
    with pytest.raises(ValidationError, match="Enter why you are withdrawing"):
        services.alert_withdraw(alert=alert, reason="", withdrawn_by=csoc, auditor=audit(csoc))
    threat_id = alert.threat_id
    services.alert_withdraw(alert=alert, reason="Sent in error", withdrawn_by=csoc, auditor=audit(csoc))
    assert alert.status == AlertStatus.WITHDRAWN
    assert alert.threat_id == threat_id
    with pytest.raises(ValidationError, match="because it is withdrawn"):
        services.alert_withdraw(alert=alert, reason="Again", withdrawn_by=csoc, auditor=audit(csoc))


def test_a_draft_can_be_discarded(make_draft, csoc):
    alert = services.alert_withdraw(alert=make_draft(), reason="Duplicate", withdrawn_by=csoc, auditor=audit(csoc))
    assert alert.status == AlertStatus.WITHDRAWN
    assert alert.threat_id is None


def test_every_change_is_a_numbered_version_with_a_snapshot(make_published, csoc):
    alert = make_published()
    services.alert_close(alert=alert, reason="Done", closed_by=csoc, auditor=audit(csoc))
    versions = list(alert.versions.all())
    assert [version.number for version in versions] == list(range(1, len(versions) + 1))
    assert versions[-1].snapshot["status"] == "closed"
    assert versions[-1].snapshot["closed_reason"] == "Done"
    assert versions[0].snapshot["affected_platforms"] == [
        {"platform": "Apache ActiveMQ", "versions": "5.18.0 before 5.18.3\nBefore 5.15.16"}
    ]
