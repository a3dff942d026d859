"""Emails about accounts and access: plain-text bodies from templates in accounts/email/, sent with Django's mail.

Services queue these with transaction.on_commit, so nothing is sent for a change that was rolled back.
"""

from typing import Any

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from respond.accounts.models import AccessRequest, AccessRequestStatus, Invitation, Membership, User


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def set_password_url(user: User) -> str:
    """A link to allauth's password-reset page; the token stops working once a password is set."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return absolute_url(path)


def _send(*, subject: str, template: str, context: dict[str, Any], to: list[str]) -> None:
    context = {**context, "service_name": settings.SERVICE_NAME, "sign_in_url": absolute_url(reverse("account_login"))}
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        message=render_to_string(f"accounts/email/{template}", context),
        from_email=None,
        recipient_list=to,
    )


def send_welcome_email(*, user_id: int) -> None:
    user = User.objects.select_related("organisation").get(pk=user_id)
    _send(
        subject="Set your password",
        template="welcome.txt",
        context={
            "user": user,
            "set_password_url": set_password_url(user),
            "link_valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
        to=[user.email],
    )


def send_invitation_email(*, invitation_id: int, token: str) -> None:
    """The invitation with its single-use link. Only this email ever holds the token: the database keeps a hash."""
    invitation = Invitation.objects.select_related("organisation", "invited_by__organisation").get(pk=invitation_id)
    _send(
        subject=f"You are invited to respond to cyber alerts for {invitation.organisation.name}",
        template="invitation.txt",
        context={
            "invitation": invitation,
            "accept_url": absolute_url(reverse("access:accept_invitation", args=[token])),
        },
        to=[invitation.email],
    )


def send_added_to_organisation_email(*, membership_id: int, added_by_name: str) -> None:
    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    _send(
        subject=f"You can now respond to cyber alerts for {membership.organisation.name}",
        template="added_to_organisation.txt",
        context={
            "membership": membership,
            "added_by_name": added_by_name,
            "access_url": absolute_url(reverse("access:index")),
        },
        to=[membership.user.email],
    )


def send_access_request_email(*, access_request_id: int) -> None:
    """One email to every administrator of the organisation asked for."""
    access_request = AccessRequest.objects.select_related("requester__organisation", "organisation").get(
        pk=access_request_id
    )
    organisation = access_request.organisation
    administrators = sorted(
        Membership.objects.administrators().filter(organisation=organisation).values_list("user__email", flat=True)
    )
    if not administrators:
        return
    _send(
        subject=f"{access_request.requester.display_name} asks to respond for {organisation.name}",
        template="access_request.txt",
        context={
            "access_request": access_request,
            "decide_url": absolute_url(
                reverse("access:decide_request", args=[organisation.ods_code, access_request.pk])
            ),
        },
        to=administrators,
    )


def send_access_decision_email(*, access_request_id: int) -> None:
    access_request = AccessRequest.objects.select_related("requester", "organisation", "decided_by__organisation").get(
        pk=access_request_id
    )
    approved = access_request.status == AccessRequestStatus.APPROVED
    organisation = access_request.organisation.name
    _send(
        subject=(
            f"You can now respond for {organisation}"
            if approved
            else f"Your request to respond for {organisation} was not approved"
        ),
        template="access_decision.txt",
        context={
            "access_request": access_request,
            "approved": approved,
            "access_url": absolute_url(reverse("access:index")),
        },
        to=[access_request.requester.email],
    )
