"""What an organisation's administrators do: invite, change roles, remove people, decide requests to respond on
its behalf. Every view is for one organisation, and 403 for anyone who does not administer it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from respond.accounts.access_forms import DENY, ChangeRoleForm, DecisionForm, InviteForm
from respond.accounts.access_requests import access_request_approve, access_request_deny
from respond.accounts.invitations import invitation_resend, invitation_revoke, invitation_send
from respond.accounts.memberships import membership_change_role, membership_remove
from respond.accounts.models import AccessRequest, Invitation, Membership, Role
from respond.accounts.views.common import add_service_error, organisation_permission_required
from respond.core.audit import Auditor
from respond.organisations.models import Organisation


def _membership(organisation: Organisation, user_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user__organisation", "organisation"),
        organisation=organisation,
        user_id=user_id,
    )


@organisation_permission_required("accounts.manage_users")
def invite(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = invitation_send(
                email=data["email"],
                full_name=data["full_name"],
                organisation=organisation,
                role=data["role"],
                invited_by=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if sent.membership is not None:
                messages.success(
                    request,
                    f"{sent.membership.user.display_name} already had an account: they can now respond for "
                    f"{organisation.name}. We have emailed them to say so.",
                )
            else:
                messages.success(request, f"We have emailed an invitation to {data['email'].lower()}")
            return redirect("access:index")
    return render(
        request,
        "accounts/access/invite.html",
        {"form": form, "organisation": organisation, "valid_days": settings.INVITATION_VALID_DAYS},
    )


def _after_invitation_change(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    if request.user.has_perm("accounts.manage_users", organisation):
        return redirect("access:index")
    return redirect("lead_administrators:nominate")  # CSOC, about a lead administrator invitation


@organisation_permission_required("accounts.manage_invitations")
@require_POST
def invitation_resend_view(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, organisation=organisation, pk=pk)
    try:
        invitation = invitation_resend(
            invitation=invitation,
            resent_by=request.user,  # type: ignore[arg-type]
            auditor=Auditor.from_request(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"We have emailed a new invitation to {invitation.email}. The old link no longer works."
        )
    return _after_invitation_change(request, organisation)


@organisation_permission_required("accounts.manage_invitations")
@require_POST
def invitation_revoke_view(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, organisation=organisation, pk=pk)
    try:
        invitation_revoke(
            invitation=invitation,
            revoked_by=request.user,  # type: ignore[arg-type]
            auditor=Auditor.from_request(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You have revoked the invitation to {invitation.email}: its link no longer works.")
    return _after_invitation_change(request, organisation)


@organisation_permission_required("accounts.manage_users")
def change_role(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    membership = _membership(organisation, user_id)
    form = ChangeRoleForm(request.POST if request.method == "POST" else None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_change_role(
                membership=membership, role=form.cleaned_data["role"], auditor=Auditor.from_request(request)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            role = Role(membership.role).label.lower()
            messages.success(request, f"{membership.user.display_name} is now {role} of {organisation.name}")
            return redirect("access:index")
    return render(
        request,
        "accounts/access/change_role.html",
        {"form": form, "membership": membership, "organisation": organisation},
    )


@organisation_permission_required("accounts.manage_users")
def remove_user(request: HttpRequest, organisation: Organisation, user_id: int) -> HttpResponse:
    membership = _membership(organisation, user_id)
    error_message = ""
    if request.method == "POST":
        try:
            membership_remove(membership=membership, auditor=Auditor.from_request(request))
        except ValidationError as error:
            error_message = " ".join(error.messages)
        else:
            messages.success(request, f"{membership.user.display_name} can no longer respond for {organisation.name}")
            return redirect("access:index")
    return render(
        request,
        "accounts/access/remove_user.html",
        {"membership": membership, "organisation": organisation, "error_message": error_message},
        status=409 if error_message else 200,
    )


@organisation_permission_required("accounts.manage_users")
def decide_request(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    access_request = get_object_or_404(
        AccessRequest.objects.select_related("requester__organisation", "decided_by__organisation"),
        organisation=organisation,
        pk=pk,
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        auditor = Auditor.from_request(request)
        try:
            if decision == DENY:
                access_request_deny(
                    access_request=access_request,
                    reason=form.cleaned_data["reason"],
                    decided_by=request.user,  # type: ignore[arg-type]
                    auditor=auditor,
                )
            else:
                access_request_approve(
                    access_request=access_request,
                    role=decision,
                    decided_by=request.user,  # type: ignore[arg-type]
                    auditor=auditor,
                )
        except ValidationError as error:
            add_service_error(form, error)
            access_request.refresh_from_db()
        else:
            requester = access_request.requester.display_name
            if decision == DENY:
                messages.success(request, f"You have denied the request of {requester}. We have emailed them.")
            else:
                messages.success(request, f"{requester} can now respond for {organisation.name}. We have emailed them.")
            return redirect("access:index")
    return render(
        request,
        "accounts/access/decide.html",
        {"form": form, "access_request": access_request, "organisation": organisation},
    )
