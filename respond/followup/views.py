"""The chase page: who owes a response to one alert, with their administrators, and chasing them."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from respond.alerts.models import Alert
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.followup import services
from respond.followup.conf import chase_interval
from respond.followup.forms import ChaseForm


@permission_required("followup.chase")
@require_http_methods(["GET", "HEAD", "POST"])
@cache_control(private=True, no_store=True)
def chase(request: HttpRequest, threat_id: str) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.released(), threat_id=threat_id.upper())
    now = timezone.now()
    listing = services.chase_list(alert=alert, now=now)
    rows = listing.rows
    form = ChaseForm(
        request.POST if request.method == "POST" else None,
        organisation_ids=[row.response.organisation_id for row in rows],
    )
    if request.method == "POST" and form.is_valid():
        outcome = services.chase_organisations(
            alert=alert,
            organisation_ids=form.cleaned_data["organisations"],
            chased_by=request.user,  # type: ignore[arg-type]
            auditor=Auditor.from_request(request),
            now=now,
        )
        _report(request, outcome)
        return redirect("followup:chase", alert.threat_id)
    context = {
        "alert": alert,
        "listing": listing,
        "form": form,
        "first_organisation_id": rows[0].response.organisation_id if rows else None,
        "selected": set(request.POST.getlist("organisations")) if form.is_bound else set(),
        "history": services.chase_history(alert=alert),
        "interval_minutes": int(chase_interval().total_seconds() // 60),
        "now": now,
    }
    return render(request, "followup/chase.html", context)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _report(request: HttpRequest, outcome: services.ChaseOutcome) -> None:
    if outcome.chased:
        names = ", ".join(chase.organisation.name for chase in outcome.chased)
        messages.success(request, f"Chased {plural(len(outcome.chased), 'organisation')}: {names}")
    for recent in outcome.too_soon:
        messages.warning(
            request,
            f"{recent.organisation.name} was not chased again: {recent.chased_by.full_name or recent.chased_by.email} "
            f"chased it at {timezone.localtime(recent.chased_at):%-I:%M%p on %-d %B}".replace("AM", "am").replace(
                "PM", "pm"
            ),
        )
    if outcome.no_administrators:
        messages.warning(request, f"Not chased, as they have no administrators: {', '.join(outcome.no_administrators)}")
    if outcome.nothing_owed:
        messages.info(
            request, f"{plural(outcome.nothing_owed, 'organisation')} no longer needed chasing, so were not chased"
        )
