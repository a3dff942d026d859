"""Creating people's accounts and giving them a role in an organisation."""

from functools import partial

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from respond.accounts.emails import send_welcome_email
from respond.accounts.models import GlobalRole, Membership, Role, User
from respond.core.audit import Auditor
from respond.organisations.models import Organisation


def find_organisation(ods_code: str) -> Organisation:
    """The open organisation with this ODS code, or a ValidationError that says what is wrong."""
    code = ods_code.strip().upper()
    organisation = Organisation.objects.filter(ods_code=code).first()
    if organisation is None:
        raise ValidationError(f"There is no organisation with the ODS code {code}", code="unknown_ods_code")
    if not organisation.active:
        raise ValidationError(f"{organisation} has closed", code="closed_organisation")
    return organisation


def _user_errors(
    *, email: str, full_name: str, organisation: Organisation | None, role: str, global_role: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = f"{email or 'The email address'} is not a valid email address"
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = f"There is already an account for {email}"
    if not full_name:
        errors["full_name"] = "Enter their full name"
    if role and global_role:
        errors["role"] = "Give either a role in their organisation or a global role, not both"
    elif not role and not global_role:
        errors["role"] = (
            "Give a role in their organisation (administrator or responder) or a global role (auditor or CSOC)"
        )
    elif role and role not in Role.values:
        errors["role"] = f"{role} is not a role in an organisation: use administrator or responder"
    elif global_role and global_role not in {GlobalRole.AUDITOR, GlobalRole.CSOC}:
        errors["role"] = f"{global_role} is not a global role: use auditor or csoc"
    elif role and organisation is None:
        errors["organisation"] = "An administrator or responder needs their organisation's ODS code"
    if organisation is not None and not organisation.active:
        errors["organisation"] = f"{organisation} has closed"
    return errors


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    organisation: Organisation | None,
    role: str,
    global_role: str,
    created_by_auditor: Auditor,
    send_invitation: bool = True,
) -> User:
    """Creates the account without a usable password; the person sets one from the emailed link.

    Raises ValidationError keyed by "email", "full_name", "organisation" or "role", and then writes nothing.
    """
    email = email.strip().lower()
    full_name = " ".join(full_name.split())
    errors = _user_errors(
        email=email, full_name=full_name, organisation=organisation, role=role, global_role=global_role
    )
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(
        email, None, full_name=full_name, organisation=organisation, global_role=global_role
    )
    # CSOC (or an inviting administrator) vouches for the address. Recording it as verified also stops allauth
    # from wiping the password at the person's first single sign-on by email.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role and organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    created_by_auditor.log(
        "user.created",
        user,
        after={
            "email": user.email,
            "full_name": user.full_name,
            "organisation": organisation.ods_code if organisation else None,
            "role": role,
            "global_role": global_role,
        },
    )
    if send_invitation:
        # robust: a mail outage must not undo the account; CSOC can send a new link with "Forgotten your password?"
        transaction.on_commit(partial(send_welcome_email, user_id=user.pk), robust=True)
    return user


@transaction.atomic
def membership_add(*, user: User, organisation: Organisation, role: str, added_by_auditor: Auditor) -> Membership:
    """Gives the user a role in an organisation: their own, or one they respond for on its behalf."""
    if role not in Role.values:
        raise ValidationError({"role": f"{role} is not a role in an organisation: use administrator or responder"})
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"organisation": f"{user.email} already has a role in {organisation}"})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    added_by_auditor.log(
        "membership.created",
        membership,
        after={"user": user.email, "organisation": organisation.ods_code, "role": role},
    )
    return membership


@transaction.atomic
def authenticators_reset(*, user: User, reset_by_auditor: Auditor) -> int:
    """Removes their authenticator app, passkeys and recovery codes (a lost phone): they set up a new second factor at
    next sign-in."""
    removed, _ = Authenticator.objects.filter(user=user).delete()
    reset_by_auditor.log("mfa.reset", user, after={"authenticators_removed": removed})
    return removed
