"""CSOC pages: write, preview and approve alerts; then close or withdraw them. Publishing, updates and severity
changes are respond.publication's pages, in the same URL namespace.

Auditors can read the list, each alert's page and its preview; every change needs `alerts.manage_alerts`.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from respond.alerts import services
from respond.alerts.content import changed_fields
from respond.alerts.forms import (
    ActionForm,
    AlertForm,
    PlatformRowForm,
    ReasonForm,
    StepRowForm,
    apply_errors,
    row_count,
)
from respond.alerts.models import EDITABLE_STATUSES, Alert, AlertStatus
from respond.alerts.views.public import alert_page_context, progress_url
from respond.core.audit import Auditor
from respond.core.decorators import permission_required

if TYPE_CHECKING:
    from respond.accounts.models import User

MANAGE = "alerts.manage_alerts"
VIEW = "alerts.view_alert_workspace"

CLOSE_PAGE = {
    "heading": "Close this alert",
    "intro": "Close an alert when organisations no longer need to act on it. It stays on the alert pages, marked "
    "as closed, with your reason.",
    "button": "Close alert",
}
WITHDRAW_PAGE = {
    "heading": "Withdraw this alert",
    "intro": "A withdrawn alert is taken off the alert pages, feeds and API; only CSOC staff and auditors can still "
    "see it. If it was published, its threat ID is never given to another alert.",
    "button": "Withdraw alert",
}


def staff_user(request: HttpRequest) -> "User":
    """The signed-in member of staff: every view here is behind permission_required."""
    return cast("User", request.user)


def workspace_alert(request: HttpRequest, pk: int) -> Alert:
    return get_object_or_404(Alert.objects.workspace_for(request.user), pk=pk)


@permission_required(VIEW)
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = Alert.objects.workspace_for(request.user).select_related("created_by")
    in_progress = alerts.filter(status__in=EDITABLE_STATUSES).order_by("-updated_at")
    finished = alerts.exclude(status__in=EDITABLE_STATUSES).order_by("-published_at", "-pk")
    page = Paginator(finished, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/csoc/list.html",
        {
            "drafts": [alert for alert in in_progress if alert.status == AlertStatus.DRAFT],
            "awaiting": [alert for alert in in_progress if alert.status == AlertStatus.AWAITING_APPROVAL],
            "approved": [alert for alert in in_progress if alert.status == AlertStatus.APPROVED],
            "page": page,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


def _detail_context(request: HttpRequest, alert: Alert) -> dict[str, Any]:
    versions = list(alert.versions.select_related("created_by"))
    history = [
        (version, changed_fields(versions[index - 1].snapshot if index else None, version.snapshot))
        for index, version in enumerate(versions)
    ]
    user: Any = request.user
    can_manage = user.has_perm(MANAGE)
    is_author = user.pk in services.alert_authors(alert)
    return {
        "alert": alert,
        "history": list(reversed(history)),
        "severity_changes": list(alert.severity_changes.select_related("changed_by")),
        "updates": list(alert.updates.select_related("created_by")),
        "organisation_count": alert.in_scope_organisations().count(),
        "can_manage": can_manage,
        "approval_required": services.publish_requires_approval(),
        "is_author": is_author,
        "can_approve": can_manage and not is_author and alert.status == AlertStatus.AWAITING_APPROVAL,
        "progress_url": progress_url(alert),
        "form": ActionForm(data={}),
    }


@permission_required(VIEW)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "alerts/csoc/detail.html", _detail_context(request, workspace_alert(request, pk)))


@permission_required(VIEW)
def alert_preview(request: HttpRequest, pk: int) -> HttpResponse:
    alert = workspace_alert(request, pk)
    context = alert_page_context(alert, preview=True)
    context["csoc_url"] = alert.get_csoc_url()
    return render(request, "alerts/detail.html", context)


def _edit(request: HttpRequest, alert: Alert | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    platforms = list(alert.affected_platforms.all()) if alert else []
    steps = list(alert.remediation_steps.all()) if alert else []
    rows = row_count(data, max(len(platforms), len(steps)))
    form = AlertForm(data, initial={**AlertForm.initial_for(alert), "rows": rows})
    platform_forms = [
        PlatformRowForm(
            data,
            prefix=f"platform-{index}",
            number=index + 1,
            initial={"platform": platforms[index].platform, "versions": platforms[index].versions}
            if index < len(platforms)
            else None,
        )
        for index in range(rows)
    ]
    step_forms = [
        StepRowForm(
            data,
            prefix=f"step-{index}",
            number=index + 1,
            initial={"step_type": steps[index].step_type, "step": steps[index].step, "link": steps[index].link}
            if index < len(steps)
            else None,
        )
        for index in range(rows)
    ]
    all_forms = [form, *platform_forms, *step_forms]
    valid = [each.is_valid() for each in all_forms]  # every form checked, so that every error shows
    if data is not None and all(valid):
        content = form.to_content(
            [row for row in (each.content() for each in platform_forms) if row],
            [row for row in (each.content() for each in step_forms) if row],
        )
        auditor = Auditor.from_request(request)
        try:
            if alert is None:
                alert = services.alert_create(content=content, created_by=staff_user(request), auditor=auditor)
                messages.success(request, "Draft saved")
            else:
                was = alert.get_status_display().lower()
                services.alert_update_draft(
                    alert=alert, content=content, updated_by=staff_user(request), auditor=auditor
                )
                note = "" if was == "draft" else f": it was {was}, so it must be submitted and approved again"
                messages.success(request, f"Draft saved{note}")
            return redirect(alert.get_csoc_url())
        except ValidationError as error:
            apply_errors(form, error)
    return render(
        request,
        "alerts/csoc/form.html",
        {"form": form, "forms": all_forms, "platform_forms": platform_forms, "step_forms": step_forms, "alert": alert},
    )


@permission_required(MANAGE)
def alert_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@permission_required(MANAGE)
def alert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alert = workspace_alert(request, pk)
    if not alert.is_editable:
        messages.info(request, f"This alert is {alert.get_status_display().lower()}, so it can no longer be edited")
        return redirect(alert.get_csoc_url())
    return _edit(request, alert)


def _workflow_action(request: HttpRequest, pk: int, action: Callable[[Alert, Auditor], Any], done: str) -> HttpResponse:
    """Runs one workflow step from a button on the alert's page; a broken rule is shown on that page."""
    alert = workspace_alert(request, pk)
    try:
        action(alert, Auditor.from_request(request))
    except ValidationError as error:
        context = _detail_context(request, alert)
        apply_errors(context["form"], error)
        return render(request, "alerts/csoc/detail.html", context, status=400)
    messages.success(request, done)
    return redirect(alert.get_csoc_url())


@permission_required(MANAGE)
@require_POST
def alert_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def submit(alert: Alert, auditor: Auditor) -> None:
        services.alert_submit_for_approval(alert=alert, submitted_by=staff_user(request), auditor=auditor)

    return _workflow_action(request, pk, submit, "Alert sent for approval by another member of the CSOC team")


@permission_required(MANAGE)
@require_POST
def alert_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def approve(alert: Alert, auditor: Auditor) -> None:
        services.alert_approve(alert=alert, approved_by=staff_user(request), auditor=auditor)

    return _workflow_action(request, pk, approve, "Alert approved: it can now be published")


def form_page(
    request: HttpRequest,
    pk: int,
    form_class: type[Any],
    page: dict[str, str],
    save: Callable[[Alert, dict[str, Any], Auditor], Any],
    done: str,
) -> HttpResponse:
    """A page with a short form that changes a published alert: a threat update, the severity, close, withdraw."""
    alert = workspace_alert(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            save(alert, form.cleaned_data, Auditor.from_request(request))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(alert.get_csoc_url())
    return render(request, "alerts/csoc/action.html", {"alert": alert, "form": form, "page": page})


@permission_required(MANAGE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def save(alert: Alert, data: dict[str, Any], auditor: Auditor) -> None:
        services.alert_close(alert=alert, reason=data["reason"], closed_by=staff_user(request), auditor=auditor)

    return form_page(request, pk, ReasonForm, CLOSE_PAGE, save, "Alert closed")
