"""The link in an invitation email: the invited person creates their password, is signed in, and sets up their
authenticator app before anything else (MfaRequiredMiddleware sends them there)."""

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from respond.accounts.access_forms import AcceptInvitationForm
from respond.accounts.invitations import (
    InvitationNotUsable,
    invitation_accept_existing_account,
    invitation_accept_new_account,
    invitation_for_token,
)
from respond.accounts.models import Invitation, InvitationStatus, User
from respond.core.audit import Auditor


def _page(
    request: HttpRequest, state: str, invitation: Invitation | None, status: int = 200, **context: object
) -> HttpResponse:
    return render(
        request,
        "accounts/invitations/accept.html",
        {
            "state": state,
            "invitation": invitation,
            "valid_days": settings.INVITATION_VALID_DAYS,
            "sign_in_url": f"{reverse('account_login')}?next={request.path}",
            **context,
        },
        status=status,
    )


def _unusable(request: HttpRequest, invitation: Invitation, status: InvitationStatus) -> HttpResponse:
    return _page(request, str(status), invitation, status=410)


@never_cache
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None:
        return _page(request, "not_found", None, status=404)
    if invitation.status != InvitationStatus.PENDING:
        return _unusable(request, invitation, invitation.status)
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():  # type: ignore[union-attr]
            return _page(request, "someone_else", invitation)
        return _accept_signed_in(request, invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return _page(request, "sign_in", invitation)
    return _create_account(request, invitation)


def _accept_signed_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The invited person already has an account (created after they were invited) and is signed in with it."""
    if request.method == "POST":
        try:
            invitation_accept_existing_account(
                invitation=invitation,
                user=request.user,  # type: ignore[arg-type]
                auditor=Auditor.from_request(request),
            )
        except InvitationNotUsable as error:
            return _unusable(request, error.invitation, error.status)
        messages.success(request, f"You can now respond for {invitation.organisation.name}")
        return redirect("access:index")
    return _page(request, "accept_existing", invitation)


def _create_account(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept_new_account(
                invitation=invitation, password=form.cleaned_data["password1"], auditor=Auditor.from_request(request)
            )
        except InvitationNotUsable as error:
            return _unusable(request, error.invitation, error.status)
        except ValidationError:  # an account for the address was created a moment ago
            return _page(request, "sign_in", invitation)
        login = Login(user=user, email=user.email, redirect_url=reverse("mfa_activate_totp"))
        return perform_password_login(request, {"email": user.email}, login)
    return _page(request, "create_password", invitation, form=form)
