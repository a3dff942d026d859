"""The alert workflow: draft, submit, approve (four-eyes), publish, then updates, severity changes, close, withdraw.

Every service locks the alert row, checks the transition, records an AlertVersion and an audit entry, all in one
transaction. A rule that is broken raises ValidationError with a message to show to the person.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from respond.alerts.content import PLAIN_FIELDS, AlertContent, alert_snapshot, validate_content
from respond.alerts.models import (
    ALERTS_VERSION,
    AffectedPlatform,
    Alert,
    AlertSeverityChange,
    AlertStatus,
    AlertVersion,
    RemediationStep,
    Severity,
    ThreatIdSequence,
    ThreatUpdate,
)
from respond.alerts.validation import normalise_cve_ids, validate_markdown
from respond.core import versions
from respond.core.audit import Auditor

if TYPE_CHECKING:
    from respond.accounts.models import User

THREAT_ID_PREFIX = "CC-"


def publish_requires_approval() -> bool:
    return bool(getattr(settings, "ALERT_PUBLISH_REQUIRES_APPROVAL", True))


def _threat_id_start() -> int:
    return int(getattr(settings, "ALERT_THREAT_ID_START", 4405))


def allocate_threat_id() -> str:
    """The next CC- number. Must run inside the publishing transaction: a rollback gives the number back."""
    start = _threat_id_start()
    sequence, _ = ThreatIdSequence.objects.select_for_update().get_or_create(pk=1, defaults={"next_number": start})
    number = max(sequence.next_number, start)
    sequence.next_number = number + 1
    sequence.save(update_fields=["next_number"])
    return f"{THREAT_ID_PREFIX}{number}"


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _refresh(alert: Alert) -> None:
    """The caller's object shows what was saved."""
    alert.refresh_from_db()
    for name in ("summary_html", "threat_details_html", "remediation_intro_html", "indicators_of_compromise_html"):
        alert.__dict__.pop(name, None)


def _require_status(alert: Alert, allowed: set[str], doing: str) -> None:
    if alert.status not in allowed:
        raise ValidationError(
            f"You cannot {doing} this alert because it is {alert.get_status_display().lower()}", code="bad_status"
        )


def _record(alert: Alert, *, by: "User", auditor: Auditor, action: str, summary: str, before: dict | None) -> None:
    after = alert_snapshot(alert)
    number = (alert.versions.aggregate(latest=Max("number"))["latest"] or 0) + 1
    AlertVersion.objects.create(alert=alert, number=number, snapshot=after, summary=summary[:300], created_by=by)
    auditor.log(action, alert, before=before, after=after)
    versions.bump([ALERTS_VERSION])


def _write_content(alert: Alert, content: AlertContent) -> None:
    for name in PLAIN_FIELDS:
        setattr(alert, name, getattr(content, name))
    alert.cve_ids = normalise_cve_ids(content.cve_ids)
    alert.save()
    alert.scope_regions.set(content.scope_regions)
    alert.affected_platforms.all().delete()
    AffectedPlatform.objects.bulk_create(
        AffectedPlatform(alert=alert, position=position, platform=row.platform.strip(), versions=row.versions.strip())
        for position, row in enumerate(content.affected_platforms)
    )
    alert.remediation_steps.all().delete()
    RemediationStep.objects.bulk_create(
        RemediationStep(alert=alert, position=position, step_type=row.step_type, step=row.step.strip(), link=row.link)
        for position, row in enumerate(content.remediation_steps)
    )


def _check_scope(alert: Alert) -> None:
    if not alert.in_scope_organisations().exists():
        raise ValidationError(
            "No organisation matches this alert's scope: choose other organisation types or regions, "
            "or clear them to send the alert to every mandated organisation",
            code="empty_scope",
        )


def _check_publishable(alert: Alert) -> None:
    validate_content(AlertContent.from_alert(alert))
    _check_scope(alert)


def alert_authors(alert: Alert) -> set[int]:
    """Everyone who wrote, edited or submitted this alert so far: none of them may approve it."""
    return {alert.created_by_id, *alert.versions.values_list("created_by_id", flat=True)}


@transaction.atomic
def alert_create(*, content: AlertContent, created_by: "User", auditor: Auditor) -> Alert:
    validate_content(content)
    alert = Alert(created_by=created_by, status=AlertStatus.DRAFT)
    _write_content(alert, content)
    _record(alert, by=created_by, auditor=auditor, action="alert.created", summary="Draft created", before=None)
    return alert


@transaction.atomic
def alert_update_draft(*, alert: Alert, content: AlertContent, updated_by: "User", auditor: Auditor) -> Alert:
    locked = _locked(alert)
    _require_status(locked, {AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.APPROVED}, "edit")
    validate_content(content)
    before = alert_snapshot(locked)
    summary = "Draft edited"
    if locked.status != AlertStatus.DRAFT:
        # What was approved is no longer what would be published.
        summary = f"Draft edited while {locked.get_status_display().lower()}: back to draft, to be approved again"
        locked.status = AlertStatus.DRAFT
        locked.submitted_by = locked.approved_by = None
        locked.submitted_at = locked.approved_at = None
    _write_content(locked, content)
    _record(locked, by=updated_by, auditor=auditor, action="alert.draft_updated", summary=summary, before=before)
    _refresh(alert)
    return alert


@transaction.atomic
def alert_submit_for_approval(*, alert: Alert, submitted_by: "User", auditor: Auditor) -> Alert:
    locked = _locked(alert)
    _require_status(locked, {AlertStatus.DRAFT}, "submit")
    _check_publishable(locked)
    before = alert_snapshot(locked)
    locked.status = AlertStatus.AWAITING_APPROVAL
    locked.submitted_by = submitted_by
    locked.submitted_at = timezone.now()
    locked.save()
    _record(
        locked,
        by=submitted_by,
        auditor=auditor,
        action="alert.submitted",
        summary="Submitted for approval",
        before=before,
    )
    _refresh(alert)
    return alert


@transaction.atomic
def alert_approve(*, alert: Alert, approved_by: "User", auditor: Auditor) -> Alert:
    locked = _locked(alert)
    _require_status(locked, {AlertStatus.AWAITING_APPROVAL}, "approve")
    if not approved_by.is_csoc:
        raise ValidationError("Only CSOC staff can approve alerts", code="not_csoc")
    if approved_by.pk in alert_authors(locked):
        raise ValidationError(
            "You wrote, edited or submitted this alert, so you cannot approve it: ask another member of the CSOC team",
            code="four_eyes",
        )
    _check_publishable(locked)
    before = alert_snapshot(locked)
    locked.status = AlertStatus.APPROVED
    locked.approved_by = approved_by
    locked.approved_at = timezone.now()
    locked.save()
    _record(
        locked,
        by=approved_by,
        auditor=auditor,
        action="alert.approved",
        summary="Approved for publication",
        before=before,
    )
    _refresh(alert)
    return alert


@transaction.atomic
def alert_publish(*, alert: Alert, published_by: "User", auditor: Auditor) -> Alert:
    """Publishes the alert and writes its notifications in the same transaction: all of it, or none of it."""
    from respond.notifications import services as notification_services
    from respond.responses.services import open_missing_responses

    locked = _locked(alert)
    if publish_requires_approval():
        _require_status(locked, {AlertStatus.APPROVED}, "publish")
    else:
        _require_status(locked, {AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.APPROVED}, "publish")
    if not published_by.is_csoc:
        raise ValidationError("Only CSOC staff can publish alerts", code="not_csoc")
    _check_publishable(locked)
    before = alert_snapshot(locked)
    organisation_ids = list(locked.in_scope_organisations().values_list("pk", flat=True))
    locked.threat_id = allocate_threat_id()
    locked.status = AlertStatus.PUBLISHED
    locked.published_by = published_by
    locked.published_at = timezone.now()
    locked.save()
    locked.organisations.set(organisation_ids)
    AlertSeverityChange.objects.create(
        alert=locked, from_severity="", to_severity=locked.severity, changed_by=published_by, reason="Published"
    )
    _record(
        locked,
        by=published_by,
        auditor=auditor,
        action="alert.published",
        summary=f"Published as {locked.threat_id} to {len(organisation_ids)} "
        + ("organisation" if len(organisation_ids) == 1 else "organisations"),
        before=before,
    )
    notification_services.notifications_for_alert(alert=locked, update=None)
    # Every organisation in scope starts with a "not yet acknowledged" response, so reports count it from now.
    open_missing_responses(alert=locked)
    _refresh(alert)
    return alert


@transaction.atomic
def threat_update_add(
    *, alert: Alert, text: str, requires_reacknowledgement: bool, added_by: "User", auditor: Auditor
) -> ThreatUpdate:
    """Appends an update; when it needs re-acknowledging, everyone in scope is told again, and every organisation
    that had acknowledged the alert owes a new acknowledgement by the update's deadline."""
    from respond.notifications import services as notification_services
    from respond.responses.services import reacknowledgements_request

    locked = _locked(alert)
    _require_status(locked, {AlertStatus.PUBLISHED}, "add an update to")
    if not text.strip():
        raise ValidationError({"text": ["Enter the update"]})
    try:
        validate_markdown(text)
    except ValidationError as error:
        raise ValidationError({"text": error.messages}) from error
    before = alert_snapshot(locked)
    update = ThreatUpdate.objects.create(
        alert=locked, text=text.strip(), requires_reacknowledgement=requires_reacknowledgement, created_by=added_by
    )
    summary = "Threat update added" + (", to be acknowledged again" if requires_reacknowledgement else "")
    _record(locked, by=added_by, auditor=auditor, action="alert.threat_update_added", summary=summary, before=before)
    if requires_reacknowledgement:
        notification_services.notifications_for_alert(alert=locked, update=update)
        reacknowledgements_request(update=update, auditor=auditor)
    _refresh(alert)
    return update


@transaction.atomic
def alert_change_severity(*, alert: Alert, severity: str, reason: str, changed_by: "User", auditor: Auditor) -> Alert:
    locked = _locked(alert)
    _require_status(locked, {AlertStatus.PUBLISHED}, "change the severity of")
    errors: dict[str, list[str]] = {}
    if severity not in Severity.values:
        errors["severity"] = ["Select a severity"]
    elif severity == locked.severity:
        errors["severity"] = [f"The severity is already {locked.get_severity_display().lower()}: select another"]
    if not reason.strip():
        errors["reason"] = ["Enter why the severity is changing"]
    if errors:
        raise ValidationError(errors)
    before = alert_snapshot(locked)
    old_label = locked.get_severity_display()
    AlertSeverityChange.objects.create(
        alert=locked, from_severity=locked.severity, to_severity=severity, changed_by=changed_by, reason=reason.strip()
    )
    locked.severity = severity
    newly_required = severity == Severity.HIGH and not locked.response_required
    if newly_required:
        locked.response_required = True
    locked.save()
    if newly_required:
        from respond.responses.services import open_missing_responses

        # Raised to high: every organisation in scope now owes a response, as if it had been asked at publication.
        open_missing_responses(alert=locked)
    summary = f"Severity changed from {old_label} to {locked.get_severity_display()}: {reason.strip()}"
    _record(locked, by=changed_by, auditor=auditor, action="alert.severity_changed", summary=summary, before=before)
    _refresh(alert)
    return alert


def _reason_or_error(reason: str, doing: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": [f"Enter why you are {doing} this alert"]})
    return reason.strip()


@transaction.atomic
def alert_close(*, alert: Alert, reason: str, closed_by: "User", auditor: Auditor) -> Alert:
    locked = _locked(alert)
    _require_status(locked, {AlertStatus.PUBLISHED}, "close")
    reason = _reason_or_error(reason, "closing")
    before = alert_snapshot(locked)
    locked.status = AlertStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_reason = reason
    locked.save()
    _record(locked, by=closed_by, auditor=auditor, action="alert.closed", summary=f"Closed: {reason}", before=before)
    _refresh(alert)
    return alert


@transaction.atomic
def alert_withdraw(*, alert: Alert, reason: str, withdrawn_by: "User", auditor: Auditor) -> Alert:
    """Takes the alert off every page and feed. A published alert keeps its threat ID, never given to another."""
    locked = _locked(alert)
    _require_status(locked, set(AlertStatus.values) - {AlertStatus.WITHDRAWN}, "withdraw")
    reason = _reason_or_error(reason, "withdrawing")
    before = alert_snapshot(locked)
    locked.status = AlertStatus.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason
    locked.save()
    _record(
        locked,
        by=withdrawn_by,
        auditor=auditor,
        action="alert.withdrawn",
        summary=f"Withdrawn: {reason}",
        before=before,
    )
    _refresh(alert)
    return alert
