"""The alert list and alert pages: TLP:CLEAR alerts for everyone, restricted ones for the people they were sent to."""

import re
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from respond.accounts.mfa import session_is_multi_factor
from respond.alerts.forms import AlertFilterForm
from respond.alerts.models import Alert, Tlp, nvd_url

PAGE_SIZE = 20
THREAT_ID = re.compile(r"^CC-\d{1,8}$", re.IGNORECASE)


def reader(request: HttpRequest) -> Any:
    """Whose alerts to show: the signed-in person only once their session has its second factor."""
    if request.user.is_authenticated and session_is_multi_factor(request):
        return request.user
    return AnonymousUser()


@require_safe
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = Alert.objects.visible_to(reader(request))
    years = sorted({moment.year for moment in alerts.datetimes("published_at", "year")}, reverse=True)
    filter_form = AlertFilterForm(request.GET or None, years=years)
    if filter_form.is_valid():
        data = filter_form.cleaned_data
        alerts = alerts.search(data["q"])
        if data["severity"]:
            alerts = alerts.filter(severity=data["severity"])
        if data["year"]:
            alerts = alerts.filter(published_at__year=int(data["year"]))
    page = Paginator(alerts.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = bool(request.GET.get("q") or request.GET.get("severity") or request.GET.get("year"))
    response = render(request, "alerts/list.html", {"filter_form": filter_form, "page": page, "filtered": filtered})
    if reader(request).is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    return response


def progress_url(alert: Alert) -> str | None:
    """The notifications' delivery page for a published alert (built by the notifications app)."""
    if not alert.threat_id:
        return None
    try:
        return reverse("notifications:alert_progress", kwargs={"threat_id": alert.threat_id})
    except NoReverseMatch:
        return None


def alert_page_context(alert: Alert, *, preview: bool) -> dict[str, Any]:
    """What the alert page shows: the same for recipients and for CSOC staff previewing a draft."""
    return {
        "alert": alert,
        "preview": preview,
        "restricted": alert.tlp != Tlp.CLEAR,
        "platforms": list(alert.affected_platforms.all()),
        "steps": list(alert.remediation_steps.all()),
        "updates": list(alert.updates.all()),
        "severity_changes": list(alert.severity_changes.select_related("changed_by")[1:]) if alert.pk else [],
        "cves": [(cve_id, nvd_url(cve_id)) for cve_id in alert.cve_ids],
        "sources": [
            (source, source if source.startswith(("https://", "http://")) else None) for source in alert.sources
        ],
        "last_updated_at": alert.last_updated_at,
    }


@require_safe
def alert_detail(request: HttpRequest, threat_id: str) -> HttpResponse:
    if not THREAT_ID.match(threat_id):
        raise Http404("No such alert")
    if threat_id != threat_id.upper():
        return redirect("alerts:detail", threat_id.upper(), permanent=True)
    person = reader(request)
    alert = Alert.objects.visible_to(person).filter(threat_id=threat_id).first()
    if alert is None:
        # The same answer whether the alert does not exist or is not for this person: restricted alerts stay unknown.
        raise Http404("No such alert")
    context = alert_page_context(alert, preview=False)
    context["csoc_url"] = alert.get_csoc_url() if person.has_perm("alerts.view_alert_workspace") else None
    response = render(request, "alerts/detail.html", context)
    if alert.tlp != Tlp.CLEAR or person.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    return response
