"""Invitations to join an organisation: send, resend, revoke and accept. CSOC's lead administrator nominations are
administrator invitations with the name of the SIRO who nominated them."""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from respond.accounts.emails import send_added_to_organisation_email, send_invitation_email
from respond.accounts.memberships import membership_change_role
from respond.accounts.models import Invitation, InvitationStatus, Membership, Role, User, token_hash
from respond.accounts.ratelimit import take
from respond.accounts.services import membership_add, user_create
from respond.core.audit import Auditor
from respond.organisations.models import Organisation

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


class InvitationNotUsable(ValidationError):
    """The link was used, revoked or has expired: `status` says which."""

    def __init__(self, invitation: Invitation, status: InvitationStatus) -> None:
        self.invitation = invitation
        self.status = status
        super().__init__(f"This invitation is {status.label.lower()}", code=str(status))


@dataclass(frozen=True)
class InvitationSent:
    """A new person gets an invitation to accept; a person who already has an account gets access at once."""

    invitation: Invitation | None = None
    membership: Membership | None = None
    # The link's secret, for seed_demo to print; the database keeps only its hash.
    token: str = ""


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.INVITATION_VALID_DAYS)


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _invitation_errors(*, email: str, full_name: str, organisation: Organisation, role: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = f"{email or 'The email address'} is not a valid email address"
    if not full_name:
        errors["full_name"] = "Enter their full name"
    elif len(full_name) > 200:
        errors["full_name"] = "Full name must be 200 characters or fewer"
    if role not in Role.values:
        errors["role"] = "Select administrator or responder"
    if not organisation.active:
        errors["organisation"] = f"{organisation} has closed"
    return errors


def _existing_account_errors(*, user: User, organisation: Organisation, nomination: bool) -> dict[str, str]:
    if not user.is_active:
        return {"email": f"The account for {user.email} is closed. Ask CSOC to reopen it."}
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        return {}
    if nomination and membership.role != Role.ADMINISTRATOR:
        return {}  # a nominated responder becomes an administrator
    role = membership.get_role_display().lower()
    return {"email": f"{user.display_name} can already respond for {organisation.name}, as {role}"}


@transaction.atomic
def invitation_send(
    *,
    email: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    invited_by: User | None,
    auditor: Auditor,
    nominated_by_name: str = "",
    notify: bool = True,
) -> InvitationSent:
    """Invites a person to an organisation, or gives an existing account access at once (and tells them).

    Raises ValidationError keyed by field (or RateLimitExceeded), and then writes nothing.
    """
    email = email.strip().lower()
    full_name = " ".join(full_name.split())
    nominated_by_name = " ".join(nominated_by_name.split())
    nomination = bool(nominated_by_name)
    errors = _invitation_errors(email=email, full_name=full_name, organisation=organisation, role=role)
    if errors:
        raise ValidationError(errors)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        errors = _existing_account_errors(user=existing, organisation=organisation, nomination=nomination)
    else:
        open_invitation = Invitation.objects.select_for_update().open().filter(email=email, organisation=organisation)
        pending = next((i for i in open_invitation if i.status == InvitationStatus.PENDING), None)
        if pending is not None:
            invited_on = f"{timezone.localtime(pending.created_at):%-d %B %Y}"
            errors = {
                "email": f"{email} was invited to {organisation.name} on {invited_on}. "
                "Resend that invitation from the list of invitations instead."
            }
    if errors:
        raise ValidationError(errors)
    if invited_by is not None:
        take(user=invited_by, action="invitation", per_hour=settings.INVITATIONS_PER_HOUR, what="invitations")
    if existing is not None:
        return InvitationSent(
            membership=_give_access(user=existing, organisation=organisation, role=role, auditor=auditor, notify=notify)
        )
    return _create_invitation(
        email=email,
        full_name=full_name,
        organisation=organisation,
        role=role,
        invited_by=invited_by,
        nominated_by_name=nominated_by_name,
        auditor=auditor,
        notify=notify,
    )


def _give_access(*, user: User, organisation: Organisation, role: str, auditor: Auditor, notify: bool) -> Membership:
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        membership = membership_add(user=user, organisation=organisation, role=role, added_by_auditor=auditor)
    else:
        membership = membership_change_role(membership=membership, role=role, auditor=auditor)
    if notify:
        added_by = cast(User, auditor.actor).display_name if auditor.actor is not None else "NHS England"
        transaction.on_commit(
            partial(send_added_to_organisation_email, membership_id=membership.pk, added_by_name=added_by),
            robust=True,
        )
    return membership


def _create_invitation(
    *,
    email: str,
    full_name: str,
    organisation: Organisation,
    role: str,
    invited_by: User | None,
    nominated_by_name: str,
    auditor: Auditor,
    notify: bool,
) -> InvitationSent:
    now = timezone.now()
    # An expired invitation to the same address makes way for the new one.
    for expired in Invitation.objects.open().filter(email=email, organisation=organisation):
        _revoke(expired, revoked_by=invited_by, auditor=auditor, why="replaced by a new invitation")
    token = _new_token()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=email,
                full_name=full_name,
                organisation=organisation,
                role=role,
                invited_by=invited_by,
                nominated_by_name=nominated_by_name,
                token_hash=token_hash(token),
                created_at=now,
                last_sent_at=now,
                expires_at=_expiry(now),
            )
    except IntegrityError as error:  # another administrator invited the same address a moment ago
        raise ValidationError({"email": f"{email} has just been invited to {organisation.name}"}) from error
    auditor.log(
        "lead_administrator.nominated" if nominated_by_name else "invitation.created",
        invitation,
        after={
            "email": email,
            "full_name": full_name,
            "organisation": organisation.ods_code,
            "role": role,
            "nominated_by": nominated_by_name or None,
            "expires_at": invitation.expires_at,
        },
    )
    if notify:
        transaction.on_commit(partial(send_invitation_email, invitation_id=invitation.pk, token=token), robust=True)
    return InvitationSent(invitation=invitation, token=token)


def _locked(invitation: Invitation) -> Invitation:
    # No joins while locking: PostgreSQL would not re-read joined rows after waiting for this one.
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, resent_by: User, auditor: Auditor) -> Invitation:
    """Emails a new link (the old one stops working) valid for another INVITATION_VALID_DAYS."""
    invitation = _locked(invitation)
    if not invitation.is_open:
        raise InvitationNotUsable(invitation, invitation.status)
    take(user=resent_by, action="invitation", per_hour=settings.INVITATIONS_PER_HOUR, what="invitations")
    now = timezone.now()
    before = {"expires_at": invitation.expires_at, "resent_count": invitation.resent_count}
    token = _new_token()
    invitation.token_hash = token_hash(token)
    invitation.last_sent_at = now
    invitation.expires_at = _expiry(now)
    invitation.resent_count += 1
    invitation.save(update_fields=["token_hash", "last_sent_at", "expires_at", "resent_count"])
    auditor.log(
        "invitation.resent",
        invitation,
        before=before,
        after={"expires_at": invitation.expires_at, "resent_count": invitation.resent_count},
    )
    transaction.on_commit(partial(send_invitation_email, invitation_id=invitation.pk, token=token), robust=True)
    return invitation


def _revoke(invitation: Invitation, *, revoked_by: User | None, auditor: Auditor, why: str) -> None:
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = revoked_by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    auditor.log("invitation.revoked", invitation, after={"email": invitation.email, "why": why})


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, revoked_by: User, auditor: Auditor) -> Invitation:
    invitation = _locked(invitation)
    if not invitation.is_open:
        raise InvitationNotUsable(invitation, invitation.status)
    _revoke(invitation, revoked_by=revoked_by, auditor=auditor, why="revoked")
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _lock_pending(invitation: Invitation) -> Invitation:
    invitation = _locked(invitation)
    status = invitation.status
    if status != InvitationStatus.PENDING:
        raise InvitationNotUsable(invitation, status)
    return invitation


def _mark_accepted(invitation: Invitation, user: User, auditor: Auditor) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    auditor.log(
        "invitation.accepted",
        invitation,
        after={"email": invitation.email, "organisation": invitation.organisation.ods_code, "role": invitation.role},
    )


@transaction.atomic
def invitation_accept_new_account(*, invitation: Invitation, password: str, auditor: Auditor) -> User:
    """Creates the invited person's account with their password (already validated) and role.

    `auditor` is the anonymous visitor; what follows the account's creation is recorded as the new user.
    """
    invitation = _lock_pending(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(f"There is already an account for {invitation.email}. Sign in to accept.")
    visitor = replace(auditor, actor_label=f"{invitation.email} (accepting an invitation)")
    user = user_create(
        email=invitation.email,
        full_name=invitation.full_name,
        organisation=invitation.organisation,
        role=invitation.role,
        global_role="",
        created_by_auditor=visitor,
        send_invitation=False,
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    _mark_accepted(invitation, user, Auditor(actor=user, actor_label=user.email, ip_address=auditor.ip_address))
    return user


@transaction.atomic
def invitation_accept_existing_account(*, invitation: Invitation, user: User, auditor: Auditor) -> Membership:
    """The signed-in invited person (whose account was created after the invitation) joins the organisation."""
    invitation = _lock_pending(invitation)
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation is for {invitation.email}, not {user.email}")
    membership = Membership.objects.filter(user=user, organisation=invitation.organisation).first()
    if membership is None:
        membership = membership_add(
            user=user, organisation=invitation.organisation, role=invitation.role, added_by_auditor=auditor
        )
    elif invitation.role == Role.ADMINISTRATOR:
        membership = membership_change_role(membership=membership, role=Role.ADMINISTRATOR, auditor=auditor)
    _mark_accepted(invitation, user, auditor)
    return membership
