"""Publishing an alert, adding an update to be acknowledged again, changing its severity, withdrawing it: the alert's
change and everything it asks of the organisations in scope (or takes back), all in one transaction.

A raise that makes a response required (to high severity) counts the organisations' deadline from the raise, not
from publication: they were asked only now. They are told so in the email of an update the raise adds. Lowering
keeps the deadline.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from respond.alerts import services as alert_services
from respond.alerts.content import alert_snapshot
from respond.alerts.models import AlertSeverityChange, AlertStatus, Severity, ThreatUpdate
from respond.alerts.services import (
    allocate_threat_id,
    check_publishable,
    locked_alert,
    publish_requires_approval,
    record_change,
    refresh_alert,
    require_status,
)
from respond.alerts.validation import validate_markdown
from respond.core.audit import Auditor
from respond.notifications import services as notification_services
from respond.notifications.webhooks import alert_events
from respond.responses.services import open_missing_responses, reacknowledgements_request
from respond.responses.summaries import alert_figures_change

if TYPE_CHECKING:
    from respond.accounts.models import User
    from respond.alerts.models import Alert


@transaction.atomic
def alert_publish(*, alert: "Alert", published_by: "User", auditor: Auditor) -> "Alert":
    """Publishes the alert and writes its notifications in the same transaction: all of it, or none of it."""
    locked = locked_alert(alert)
    if publish_requires_approval():
        require_status(locked, {AlertStatus.APPROVED}, "publish")
    else:
        require_status(locked, {AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.APPROVED}, "publish")
    if not published_by.is_csoc:
        raise ValidationError("Only CSOC staff can publish alerts", code="not_csoc")
    check_publishable(locked)
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
    record_change(
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
    refresh_alert(alert)
    return alert


@transaction.atomic
def threat_update_add(
    *, alert: "Alert", text: str, requires_reacknowledgement: bool, added_by: "User", auditor: Auditor
) -> ThreatUpdate:
    """Appends an update; when it needs re-acknowledging, everyone in scope is told again, and every organisation
    that had acknowledged the alert owes a new acknowledgement by the update's deadline."""
    locked = locked_alert(alert)
    require_status(locked, {AlertStatus.PUBLISHED}, "add an update to")
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
    record_change(
        locked, by=added_by, auditor=auditor, action="alert.threat_update_added", summary=summary, before=before
    )
    if requires_reacknowledgement:
        notification_services.notifications_for_alert(alert=locked, update=update)  # webhooks' alert.updated too
        reacknowledgements_request(update=update, auditor=auditor)
    else:
        alert_events(alert=locked, event_type="alert.updated", update=update)
    refresh_alert(alert)
    return update


@transaction.atomic
def alert_change_severity(
    *, alert: "Alert", severity: str, reason: str, changed_by: "User", auditor: Auditor
) -> "Alert":
    locked = locked_alert(alert)
    require_status(locked, {AlertStatus.PUBLISHED}, "change the severity of")
    errors: dict[str, list[str]] = {}
    if severity not in Severity.values:
        errors["severity"] = ["Select a severity"]
    elif severity == locked.severity:
        errors["severity"] = [f"The severity is already {locked.get_severity_display().lower()}: select another"]
    if not reason.strip():
        errors["reason"] = ["Enter why the severity is changing"]
    if errors:
        raise ValidationError(errors)
    reason = reason.strip()
    before = alert_snapshot(locked)
    old_label = locked.get_severity_display()
    now = timezone.now()
    AlertSeverityChange.objects.create(
        alert=locked, from_severity=locked.severity, to_severity=severity, changed_by=changed_by, reason=reason
    )
    locked.severity = severity
    # Raised to high: every organisation in scope now owes a response, counted from now (it was not asked before).
    newly_required = severity == Severity.HIGH and not locked.response_required
    if newly_required:
        locked.response_required = True
        locked.responses_asked_at = now
    locked.save()
    summary = f"Severity changed from {old_label} to {locked.get_severity_display()}: {reason}"
    record_change(
        locked, by=changed_by, auditor=auditor, action="alert.severity_changed", summary=summary, before=before
    )
    if newly_required:
        open_missing_responses(alert=locked)
        update = ThreatUpdate.objects.create(
            alert=locked,
            text=f"The severity of this alert was raised from {old_label.lower()} to "
            f"{locked.get_severity_display().lower()}: {reason}",
            asks_for_responses=True,
            created_by=changed_by,
        )
        notification_services.notifications_for_alert(alert=locked, update=update)  # webhooks' alert.updated too
    else:
        alert_events(alert=locked, event_type="alert.updated", change=summary)
    refresh_alert(alert)
    return alert


@transaction.atomic
def alert_withdraw(*, alert: "Alert", reason: str, withdrawn_by: "User", auditor: Auditor) -> "Alert":
    """Withdraws the alert (respond.alerts.services.alert_withdraw): its responses leave compliance over time."""
    with alert_figures_change(locked_alert(alert)):
        return alert_services.alert_withdraw(alert=alert, reason=reason, withdrawn_by=withdrawn_by, auditor=auditor)
