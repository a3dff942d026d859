"""The alert workflow: draft, submit, approve (four-eyes), then close or withdraw. Publishing, updates and severity
changes reach the organisations too, so they are in respond.publication, built on the steps here.

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
    AffectedPlatform,
    Alert,
    AlertStatus,
    AlertVersion,
    RemediationStep,
    ThreatIdSequence,
)
from respond.alerts.validation import normalise_cve_ids
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


def locked_alert(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def refresh_alert(alert: Alert) -> None:
    """The caller's object shows what was saved."""
    alert.refresh_from_db()
    for name in ("summary_html", "threat_details_html", "remediation_intro_html", "indicators_of_compromise_html"):
        alert.__dict__.pop(name, None)


def require_status(alert: Alert, allowed: set[str], doing: str) -> None:
    if alert.status not in allowed:
        raise ValidationError(
            f"You cannot {doing} this alert because it is {alert.get_status_display().lower()}", code="bad_status"
        )


def record_change(
    alert: Alert, *, by: "User", auditor: Auditor, action: str, summary: str, before: dict | None
) -> None:
    after = alert_snapshot(alert)
    number = (alert.versions.aggregate(latest=Max("number"))["latest"] or 0) + 1
    AlertVersion.objects.create(alert=alert, number=number, snapshot=after, summary=summary[:300], created_by=by)
    auditor.log(action, alert, before=before, after=after)


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


def check_publishable(alert: Alert) -> None:
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
    record_change(alert, by=created_by, auditor=auditor, action="alert.created", summary="Draft created", before=None)
    return alert


@transaction.atomic
def alert_update_draft(*, alert: Alert, content: AlertContent, updated_by: "User", auditor: Auditor) -> Alert:
    locked = locked_alert(alert)
    require_status(locked, {AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.APPROVED}, "edit")
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
    record_change(locked, by=updated_by, auditor=auditor, action="alert.draft_updated", summary=summary, before=before)
    refresh_alert(alert)
    return alert


@transaction.atomic
def alert_submit_for_approval(*, alert: Alert, submitted_by: "User", auditor: Auditor) -> Alert:
    locked = locked_alert(alert)
    require_status(locked, {AlertStatus.DRAFT}, "submit")
    check_publishable(locked)
    before = alert_snapshot(locked)
    locked.status = AlertStatus.AWAITING_APPROVAL
    locked.submitted_by = submitted_by
    locked.submitted_at = timezone.now()
    locked.save()
    record_change(
        locked,
        by=submitted_by,
        auditor=auditor,
        action="alert.submitted",
        summary="Submitted for approval",
        before=before,
    )
    refresh_alert(alert)
    return alert


@transaction.atomic
def alert_approve(*, alert: Alert, approved_by: "User", auditor: Auditor) -> Alert:
    locked = locked_alert(alert)
    require_status(locked, {AlertStatus.AWAITING_APPROVAL}, "approve")
    if not approved_by.is_csoc:
        raise ValidationError("Only CSOC staff can approve alerts", code="not_csoc")
    if approved_by.pk in alert_authors(locked):
        raise ValidationError(
            "You wrote, edited or submitted this alert, so you cannot approve it: ask another member of the CSOC team",
            code="four_eyes",
        )
    check_publishable(locked)
    before = alert_snapshot(locked)
    locked.status = AlertStatus.APPROVED
    locked.approved_by = approved_by
    locked.approved_at = timezone.now()
    locked.save()
    record_change(
        locked,
        by=approved_by,
        auditor=auditor,
        action="alert.approved",
        summary="Approved for publication",
        before=before,
    )
    refresh_alert(alert)
    return alert


def _reason_or_error(reason: str, doing: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": [f"Enter why you are {doing} this alert"]})
    return reason.strip()


@transaction.atomic
def alert_close(*, alert: Alert, reason: str, closed_by: "User", auditor: Auditor) -> Alert:
    locked = locked_alert(alert)
    require_status(locked, {AlertStatus.PUBLISHED}, "close")
    reason = _reason_or_error(reason, "closing")
    before = alert_snapshot(locked)
    locked.status = AlertStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_reason = reason
    locked.save()
    record_change(
        locked, by=closed_by, auditor=auditor, action="alert.closed", summary=f"Closed: {reason}", before=before
    )
    refresh_alert(alert)
    return alert


@transaction.atomic
def alert_withdraw(*, alert: Alert, reason: str, withdrawn_by: "User", auditor: Auditor) -> Alert:
    """Takes the alert off every page and feed. A published alert keeps its threat ID, never given to another."""
    locked = locked_alert(alert)
    require_status(locked, set(AlertStatus.values) - {AlertStatus.WITHDRAWN}, "withdraw")
    reason = _reason_or_error(reason, "withdrawing")
    before = alert_snapshot(locked)
    locked.status = AlertStatus.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_reason = reason
    locked.save()
    record_change(
        locked,
        by=withdrawn_by,
        auditor=auditor,
        action="alert.withdrawn",
        summary=f"Withdrawn: {reason}",
        before=before,
    )
    refresh_alert(alert)
    return alert
