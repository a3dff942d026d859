"""The "Manage access to organisations" page, and asking to respond on behalf of another organisation."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from respond.accounts.access_forms import AccessRequestForm, OrganisationSearchForm
from respond.accounts.access_requests import access_request_create, access_request_withdraw
from respond.accounts.models import AccessRequest, Invitation, Membership, User
from respond.accounts.views.common import add_service_error
from respond.core.audit import Auditor
from respond.core.decorators import permission_required
from respond.organisations.models import Organisation

SEARCH_RESULTS = 20
RECENT_INVITATIONS = timedelta(days=30)


@dataclass(frozen=True)
class ManagedOrganisation:
    """What an administrator sees of one organisation they manage."""

    organisation: Organisation
    staff: list[Membership]  # people of the organisation itself
    on_behalf: list[Membership]  # people of other organisations who respond for it
    invitations: list[Invitation]
    pending_requests: list[AccessRequest]
    alert_contacts_url: str | None


def _alert_contacts_url(organisation: Organisation) -> str | None:
    try:  # the notifications app's page, when it is installed
        return reverse("notifications:alert_contacts", args=[organisation.ods_code])
    except NoReverseMatch:
        return None


def _managed(organisation: Organisation) -> ManagedOrganisation:
    memberships = list(
        organisation.memberships.select_related("user__organisation").order_by("user__full_name", "user__email")  # type: ignore[attr-defined]
    )
    recent = timezone.now() - RECENT_INVITATIONS
    invitations = organisation.invitations.select_related("invited_by").filter(  # type: ignore[attr-defined]
        Q(accepted_at__isnull=True, revoked_at__isnull=True) | Q(last_sent_at__gte=recent)
    )
    return ManagedOrganisation(
        organisation=organisation,
        staff=[membership for membership in memberships if not membership.on_behalf],
        on_behalf=[membership for membership in memberships if membership.on_behalf],
        invitations=list(invitations),
        pending_requests=list(
            organisation.access_requests.pending()  # type: ignore[attr-defined]
            .select_related("requester__organisation")
            .order_by("created_at")
        ),
        alert_contacts_url=_alert_contacts_url(organisation),
    )


@permission_required("accounts.manage_own_access")
def index(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    memberships = user.memberships.select_related("organisation").order_by("organisation__name")  # type: ignore[attr-defined]
    access_requests = user.access_requests.select_related("organisation", "decided_by__organisation")  # type: ignore[attr-defined]
    managed = [_managed(organisation) for organisation in Organisation.objects.administered_by(user).order_by("name")]
    return render(
        request,
        "accounts/access/index.html",
        {"memberships": memberships, "access_requests": access_requests, "managed": managed},
    )


def _search(text: str) -> QuerySet[Organisation]:
    return Organisation.objects.active().search(text).order_by("name")[:SEARCH_RESULTS]  # type: ignore[attr-defined]


@permission_required("accounts.manage_own_access")
def request_search(request: HttpRequest) -> HttpResponse:
    """A plain GET search by name or ODS code, so it works without JavaScript."""
    user: User = request.user  # type: ignore[assignment]
    search_form = OrganisationSearchForm(request.GET or None)
    text = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    results = list(_search(text)) if text else []
    member_of = set(user.memberships.values_list("organisation_id", flat=True))  # type: ignore[attr-defined]
    pending = set(user.access_requests.pending().values_list("organisation_id", flat=True))  # type: ignore[attr-defined]
    return render(
        request,
        "accounts/access/search.html",
        {
            "search_form": search_form,
            "searched": bool(text),
            "results": results,
            "member_of": member_of,
            "pending": pending,
            "result_limit": SEARCH_RESULTS,
        },
    )


@permission_required("accounts.manage_own_access")
def request_new(request: HttpRequest, ods_code: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.active(), ods_code=ods_code.upper())
    form = AccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            access_request_create(
                requester=request.user,  # type: ignore[arg-type]
                organisation=organisation,
                reason=form.cleaned_data["reason"],
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                f"You have asked to respond for {organisation.name}. We have emailed its administrators, "
                "and will email you when they decide.",
            )
            return redirect("access:index")
    return render(request, "accounts/access/request.html", {"form": form, "organisation": organisation})


@permission_required("accounts.manage_own_access")
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = get_object_or_404(AccessRequest.objects.select_related("organisation"), pk=pk)
    if not request.user.has_perm("accounts.withdraw_access_request", access_request):
        raise PermissionDenied
    try:
        access_request_withdraw(access_request=access_request, auditor=Auditor.from_request(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You have withdrawn your request to respond for {access_request.organisation.name}")
    return redirect("access:index")
