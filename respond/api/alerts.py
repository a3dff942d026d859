"""Alerts: those the token's organisations must answer (as "Your alerts" shows them), and one alert in full."""

import base64
import binascii
from datetime import datetime
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from respond.alerts.models import Alert
from respond.api import scope
from respond.api.auth import token_auth
from respond.api.errors import ApiError
from respond.api.responses import response_state
from respond.api.schemas import (
    READ_ERRORS,
    AlertOut,
    AlertPageOut,
    AlertSummaryOut,
    PlatformOut,
    RemediationStepOut,
    ThreatUpdateOut,
)
from respond.responses.models import Response

router = Router(tags=["Alerts"])


class AlertFilters(Schema):
    show: Literal["open", "overdue", "closed", "all"] = Field(
        default="open", description="Which of your organisations' responses: as the filter on Your alerts"
    )
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


def _cursor(alert: Alert) -> str:
    assert alert.published_at is not None  # released alerts are published
    text = f"{alert.published_at.isoformat()}|{alert.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _after_cursor(cursor: str) -> Q:
    """Alerts after the cursor's, in the list's order (newest published first)."""
    try:
        published, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        published_at, alert_id = datetime.fromisoformat(published), int(pk)
    except (ValueError, binascii.Error, UnicodeError):
        raise ApiError(
            400, "The cursor is not valid", [{"field": "cursor", "message": "Use the next_cursor of a page"}]
        ) from None
    return Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=alert_id)


@router.get("/alerts", response={200: AlertPageOut, **READ_ERRORS}, summary="Alerts your organisations must answer")
def alert_list(request: HttpRequest, filters: Query[AlertFilters]) -> AlertPageOut:
    """Newest first, with each of the token's organisations' current status and deadline. The same three
    queries however many alerts and organisations there are."""
    auth = token_auth(request)
    now = timezone.now()
    responses = scope.respondable_responses(auth).required().shown(filters.show, now=now)
    alerts = scope.alerts(auth).filter(pk__in=responses.values("alert_id")).order_by("-published_at", "-pk")
    if filters.cursor:
        alerts = alerts.filter(_after_cursor(filters.cursor))
    page = list(alerts[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    rows: dict[int, list[Response]] = {}
    of_page = responses.filter(alert__in=page).select_related("organisation").order_by("organisation__name", "pk")
    for response in of_page:
        rows.setdefault(response.alert_id, []).append(response)
    items = []
    for alert in page:
        for response in rows.get(alert.pk, []):
            response.alert = alert
        items.append(
            AlertSummaryOut(
                threat_id=alert.threat_id or "",
                title=alert.title,
                severity=alert.severity,
                tlp=alert.tlp,
                status=alert.status,
                published_at=alert.published_at,
                deadline_at=alert.deadline_at,
                responses=[response_state(response, now) for response in rows.get(alert.pk, [])],
            )
        )
    return AlertPageOut(items=items, next_cursor=_cursor(page[-1]) if more else None)


@router.get("/alerts/{threat_id}", response={200: AlertOut, **READ_ERRORS}, summary="One alert in full")
def alert_detail(request: HttpRequest, threat_id: str) -> AlertOut:
    alert = scope.alert_or_404(token_auth(request), threat_id)
    return AlertOut(
        threat_id=alert.threat_id or "",
        title=alert.title,
        status=alert.status,
        severity=alert.severity,
        tlp=alert.tlp,
        threat_type=alert.threat_type,
        categories=list(alert.categories),
        threat_vectors=list(alert.threat_vectors),
        short_summary=alert.short_summary,
        summary=alert.summary,
        threat_details=alert.threat_details,
        remediation_intro=alert.remediation_intro,
        indicators_of_compromise=alert.indicators_of_compromise,
        cve_ids=list(alert.cve_ids),
        ncsc_link=alert.ncsc_link,
        sources=list(alert.sources),
        response_required=alert.response_required,
        published_at=alert.published_at,
        deadline_at=alert.deadline_at,
        affected_platforms=[
            PlatformOut(platform=row.platform, versions=list(row.version_list))
            for row in alert.affected_platforms.all()
        ],
        remediation_steps=[
            RemediationStepOut(type=row.step_type, step=row.step, link=row.link)
            for row in alert.remediation_steps.all()
        ],
        updates=[
            ThreatUpdateOut(
                created_at=update.created_at,
                text=update.text,
                requires_reacknowledgement=update.requires_reacknowledgement,
            )
            for update in alert.updates.all()
        ],
    )
