"""For auditors: an alert's compliance summary and chase list; for CSOC staff: its delivery summary. Each is
allowed by the same rule as its page, and reads the same service."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router

from respond.accounts.api_tokens import TokenAuth
from respond.alerts.models import Alert
from respond.api import scope
from respond.api.auth import token_auth
from respond.api.schemas import (
    READ_ERRORS,
    ChannelOut,
    ChaseListOut,
    ChaseRowOut,
    ComplianceOut,
    ContactOut,
    CountsOut,
    DeliveryOut,
    GroupOut,
    OrganisationOut,
)
from respond.followup.services import chase_list
from respond.notifications.services import delivery_progress
from respond.reports.services import GroupFigures, alert_report
from respond.reports.statistics import Acknowledgements, StatusCounts, hours

router = Router(tags=["Oversight"])


def _allowed_alert(auth: TokenAuth, perm: str, threat_id: str) -> Alert:
    if not auth.user.has_perm(perm):
        raise PermissionDenied("Your role cannot read this")
    return scope.alert_or_404(auth, threat_id, response_required=True)


def _counts(acknowledgements: Acknowledgements, statuses: StatusCounts) -> dict[str, int]:
    return {
        "in_scope": acknowledgements.in_scope,
        "acknowledged_within_window": acknowledgements.within_window,
        "acknowledged_late": acknowledgements.late,
        "not_acknowledged": acknowledgements.not_acknowledged,
        "in_progress": statuses.in_progress,
        "complete": statuses.complete,
        "not_applicable": statuses.not_applicable,
        "unable_to_implement": statuses.unable_to_implement,
    }


def _group(group: GroupFigures) -> GroupOut:
    return GroupOut(label=group.label, **_counts(group.acknowledgements, group.statuses))


@router.get(
    "/alerts/{threat_id}/compliance",
    response={200: ComplianceOut, **READ_ERRORS},
    summary="An alert's compliance summary (auditors, CSOC)",
)
def compliance(request: HttpRequest, threat_id: str) -> ComplianceOut:
    alert = _allowed_alert(token_auth(request), "reports.view_reports", threat_id)
    report = alert_report(alert=alert, now=timezone.now())
    return ComplianceOut(
        threat_id=alert.threat_id or "",
        deadline_at=alert.deadline_at,
        deadline_passed=report.deadline_passed,
        totals=CountsOut(**_counts(report.acknowledgements, report.statuses)),
        by_type=[_group(group) for group in report.by_type],
        by_region=[_group(group) for group in report.by_region],
        median_hours_to_acknowledge=hours(report.medians.acknowledge),
        median_hours_to_complete=hours(report.medians.complete),
    )


@router.get(
    "/alerts/{threat_id}/chase-list",
    response={200: ChaseListOut, **READ_ERRORS},
    summary="Organisations to chase about an alert (auditors, CSOC)",
)
def chase(request: HttpRequest, threat_id: str) -> ChaseListOut:
    alert = _allowed_alert(token_auth(request), "followup.chase", threat_id)
    rows = chase_list(alert=alert).rows
    return ChaseListOut(
        threat_id=alert.threat_id or "",
        rows=[
            ChaseRowOut(
                organisation=OrganisationOut(
                    ods_code=row.response.organisation.ods_code, name=row.response.organisation.name
                ),
                reason=row.reason,
                status=row.response.status,
                administrators=[ContactOut(name=contact.name, email=contact.email) for contact in row.administrators],
                last_chased_at=row.last_chase.chased_at if row.last_chase else None,
            )
            for row in rows
        ],
    )


@router.get(
    "/alerts/{threat_id}/delivery",
    response={200: DeliveryOut, **READ_ERRORS},
    summary="How an alert's notifications are getting on (CSOC)",
)
def delivery(request: HttpRequest, threat_id: str) -> DeliveryOut:
    auth = token_auth(request)
    if not auth.user.has_perm("notifications.view_delivery"):
        raise PermissionDenied("Your role cannot read this")
    alert = scope.alerts(auth).filter(threat_id=threat_id.upper()).first()
    if alert is None:
        raise Http404("No such alert")
    progress = delivery_progress(alert=alert)
    return DeliveryOut(
        threat_id=alert.threat_id or "",
        **{name: progress[name] for name in ("total", "queued", "sending", "sent", "delivered", "failed", "retrying")},
        finished=progress["finished"],
        by_channel=[
            ChannelOut(**{name: row[name] for name in ("channel", "total", "waiting", "sent", "delivered", "failed")})
            for row in progress["by_channel"]
        ],
    )
