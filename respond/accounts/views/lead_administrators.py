"""CSOC registers each organisation's lead administrator, as nominated by its SIRO, and sees which organisations
that must respond to alerts have no administrator yet."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from respond.accounts.access_forms import NominationForm
from respond.accounts.coverage import coverage_csv, coverage_gaps
from respond.accounts.invitations import invitation_send
from respond.accounts.models import Invitation, Role
from respond.accounts.views.common import add_service_error
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.organisations.models import Organisation

SUGGESTIONS = 20
MIN_SEARCH_LENGTH = 2


@permission_required("accounts.nominate_lead_administrator")
def nominate(request: HttpRequest) -> HttpResponse:
    form = NominationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation: Organisation = data["organisation"]
        try:
            sent = invitation_send(
                email=data["email"],
                full_name=data["full_name"],
                organisation=organisation,
                role=Role.ADMINISTRATOR,
                invited_by=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
                nominated_by_name=data["nominated_by"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if sent.membership is not None:
                messages.success(
                    request,
                    f"{sent.membership.user.display_name} already had an account: they are now an administrator of "
                    f"{organisation.name}. We have emailed them to say so.",
                )
            else:
                messages.success(
                    request,
                    f"We have emailed an invitation to {data['email'].lower()} to be the lead administrator of "
                    f"{organisation.name}",
                )
            return redirect("lead_administrators:nominate")
    nominations = Invitation.objects.nominations().open().select_related("organisation", "invited_by")
    return render(
        request,
        "accounts/lead_administrators/nominate.html",
        {"form": form, "nominations": nominations, "gap_count": len(coverage_gaps())},
    )


@permission_required("accounts.view_administrator_coverage")
def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/lead_administrators/coverage.html", {"gaps": coverage_gaps()})


@permission_required("accounts.view_administrator_coverage")
@require_GET
def coverage_download(request: HttpRequest) -> HttpResponse:
    filename = f"organisations-without-an-administrator-{timezone.localdate():%Y-%m-%d}.csv"
    # A few hundred rows at most: built whole, so a failure is an error page rather than a truncated file.
    return HttpResponse(
        "".join(coverage_csv(coverage_gaps())),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@permission_required("accounts.nominate_lead_administrator")
@require_GET
def organisation_suggestions(request: HttpRequest) -> JsonResponse:
    """Open organisations matching a name or ODS code, for the nomination form's type-ahead."""
    text = request.GET.get("q", "").strip()[:200]
    if len(text) < MIN_SEARCH_LENGTH:
        return JsonResponse({"organisations": []})
    organisations = Organisation.objects.active().filter(Q(ods_code__istartswith=text) | Q(name__icontains=text))
    organisations = organisations.order_by("name")[:SUGGESTIONS]
    return JsonResponse(
        {"organisations": [{"ods_code": o.ods_code, "name": o.name} for o in organisations]},
        headers={"Cache-Control": "private, no-store"},
    )
