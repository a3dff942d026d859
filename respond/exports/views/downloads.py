"""The exports page and the downloads. Every download is read through respond.exports.scopes, so a person gets
only the rows they may see, whatever the address asks for."""

from datetime import date
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from respond.alerts.models import Alert
from respond.core.decorators import permission_required
from respond.exports.compliance import compliance_table
from respond.exports.formats import FORMATS, Format, download
from respond.exports.forms import ExportForm, PeriodForm
from respond.exports.scopes import (
    entries_for,
    exportable_organisation,
    in_period,
    responses_for,
    sees_everything,
)
from respond.exports.tables import history_table, responses_table
from respond.organisations.models import Organisation
from respond.responses.services import open_missing_responses

RECENT_ALERTS = 20
# The exports page's forms, by the `export` value of their submit button.
PERIOD_EXPORTS = {"history": "exports:history", "compliance": "exports:compliance"}


def _allowed_format(request: HttpRequest, fmt: str) -> Format:
    # Every download starts here: people without the permission (inactive accounts) get no further.
    if not request.user.has_perm("exports.view_exports"):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise Http404("No such format")
    return cast(Format, fmt)


Filters = tuple[Format, date | None, date | None, Organisation | None]


def _filters(request: HttpRequest, fmt: str) -> Filters | HttpResponse:
    """The format, the period (?from=YYYY-MM-DD&to=YYYY-MM-DD, either optional) and the organisation
    (?organisation=<ODS code>, optional): a page saying what is wrong with the dates when they are not right."""
    output = _allowed_format(request, fmt)
    period = PeriodForm(request.GET)
    if not period.is_valid():
        return render(request, "exports/bad_period.html", {"errors": period.errors}, status=400)
    return output, period.cleaned_data["start"], period.cleaned_data["end"], _organisation_filter(request)


def _organisation_filter(request: HttpRequest) -> Organisation | None:
    """?organisation=<ODS code>, one of the person's own (or any, for auditors and CSOC): 404 otherwise."""
    ods_code = request.GET.get("organisation", "").strip()
    if not ods_code:
        return None
    organisation = exportable_organisation(request.user, ods_code)
    if organisation is None:
        raise Http404("No such organisation among yours")
    return organisation


@login_required
@permission_required("exports.view_exports")
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    forms = {
        name: ExportForm(request.GET if request.GET.get("export") == name else None, prefix=name)
        for name in PERIOD_EXPORTS
    }
    chosen = forms.get(request.GET.get("export", ""))
    if chosen is not None and chosen.is_valid():
        name = request.GET["export"]
        target = reverse(PERIOD_EXPORTS[name], args=[chosen.cleaned_data["format"]])
        query = chosen.query()
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
    user = request.user
    alerts = Alert.objects.visible_to(user).filter(response_required=True)
    organisations = Organisation.objects.none()
    if not sees_everything(user):
        alerts = alerts.filter(pk__in=responses_for(user).values("alert_id"))
        organisations = Organisation.objects.respondable_by(user).order_by("name")  # type: ignore[arg-type]
    context = {
        "history_form": forms["history"],
        "compliance_form": forms["compliance"],
        "forms": list(forms.values()),
        "alerts": alerts.order_by("-published_at")[:RECENT_ALERTS],
        "organisations": organisations,
        "everything": sees_everything(user),
    }
    return render(request, "exports/index.html", context)


@login_required
@require_safe
def alert_responses(request: HttpRequest, threat_id: str, fmt: str) -> HttpResponseBase:
    """One row per organisation asked to respond to the alert (only the person's own, unless they see all)."""
    output = _allowed_format(request, fmt)
    alert = Alert.objects.visible_to(request.user).filter(threat_id=threat_id.upper(), response_required=True).first()
    if alert is None:
        raise Http404("No such alert")
    # One row per organisation in scope, even one whose response row was never opened (as the response pages do).
    open_missing_responses(alert=alert)
    responses = responses_for(request.user).filter(alert=alert)
    if not sees_everything(request.user) and not responses.exists():
        raise Http404("None of your organisations was asked to respond to this alert")
    table = responses_table(responses.order_by("organisation__name", "pk"), name=f"{alert.threat_id}-responses")
    return download(table, output)


@login_required
@require_safe
def organisation_responses(request: HttpRequest, ods_code: str, fmt: str) -> HttpResponseBase:
    """One organisation's response to each alert, newest alert first."""
    output = _allowed_format(request, fmt)
    organisation = exportable_organisation(request.user, ods_code)
    if organisation is None:
        raise Http404("No such organisation among yours")
    responses = responses_for(request.user).filter(organisation=organisation)
    table = responses_table(
        responses.order_by("-alert__published_at", "alert_id"), name=f"{organisation.ods_code}-responses"
    )
    return download(table, output)


@login_required
@require_safe
def history(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Every history entry submitted in the period (UK dates, both included)."""
    filters = _filters(request, fmt)
    if isinstance(filters, HttpResponse):
        return filters
    output, start, end, organisation = filters
    entries = in_period(entries_for(request.user), "created_at", start, end)
    if organisation is None:
        return download(history_table(entries, name="response-history"), output)
    entries = entries.filter(response__organisation=organisation)
    return download(history_table(entries, name=f"{organisation.ods_code}-response-history"), output)


@login_required
@require_safe
def compliance(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """One row per organisation, over the alerts published in the period (every alert when none is given)."""
    filters = _filters(request, fmt)
    if isinstance(filters, HttpResponse):
        return filters
    output, start, end, organisation = filters
    responses = in_period(responses_for(request.user), "alert__published_at", start, end)
    if organisation is not None:
        responses = responses.filter(organisation=organisation)
    return download(compliance_table(responses, name="compliance"), output)
