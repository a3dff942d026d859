"""CSOC pages that reach the organisations: publish an alert, add a threat update, change its severity, withdraw it
(which takes its responses out of the reports). Mounted with
the other CSOC alert pages (respond.alerts.views.csoc), in their URL namespace."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from respond.alerts.forms import ActionForm, ReasonForm, SeverityForm, ThreatUpdateForm, apply_errors, yes
from respond.alerts.models import Alert
from respond.alerts.services import publish_requires_approval
from respond.alerts.views.csoc import MANAGE, WITHDRAW_PAGE, form_page, staff_user, workspace_alert
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.publication import services

UPDATE_PAGE = {
    "heading": "Add a threat update",
    "intro": "The update is added to the alert page with today's date. Updates cannot be changed or removed later.",
    "button": "Add update",
}
SEVERITY_PAGE = {
    "heading": "Change the severity",
    "intro": "The change, with your reason, is shown on the alert page.",
    "button": "Change severity",
}


@permission_required(MANAGE)
def alert_publish(request: HttpRequest, pk: int) -> HttpResponse:
    alert = workspace_alert(request, pk)
    form = ActionForm(data={})
    if request.method == "POST":
        try:
            services.alert_publish(alert=alert, published_by=staff_user(request), auditor=Auditor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Alert published as {alert.threat_id}. Notifications are being sent.")
            return redirect(alert.get_csoc_url())
    context = {
        "alert": alert,
        "form": form,
        "organisation_count": alert.in_scope_organisations().count(),
        "approval_required": publish_requires_approval(),
    }
    return render(request, "alerts/csoc/publish.html", context, status=400 if form.errors else 200)


@permission_required(MANAGE)
def add_update(request: HttpRequest, pk: int) -> HttpResponse:
    def save(alert: Alert, data: dict[str, Any], auditor: Auditor) -> None:
        services.threat_update_add(
            alert=alert,
            text=data["text"],
            requires_reacknowledgement=yes(data["requires_reacknowledgement"]),
            added_by=staff_user(request),
            auditor=auditor,
        )

    return form_page(request, pk, ThreatUpdateForm, UPDATE_PAGE, save, "Threat update added")


@permission_required(MANAGE)
def change_severity(request: HttpRequest, pk: int) -> HttpResponse:
    def save(alert: Alert, data: dict[str, Any], auditor: Auditor) -> None:
        services.alert_change_severity(
            alert=alert,
            severity=data["severity"],
            reason=data["reason"],
            changed_by=staff_user(request),
            auditor=auditor,
        )

    return form_page(request, pk, SeverityForm, SEVERITY_PAGE, save, "Severity changed")


@permission_required(MANAGE)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def save(alert: Alert, data: dict[str, Any], auditor: Auditor) -> None:
        services.alert_withdraw(alert=alert, reason=data["reason"], withdrawn_by=staff_user(request), auditor=auditor)

    return form_page(request, pk, ReasonForm, WITHDRAW_PAGE, save, "Alert withdrawn")
