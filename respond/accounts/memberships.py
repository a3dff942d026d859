"""Changing a person's role in an organisation, and removing them from it. An organisation always keeps an
administrator: the last one can be neither demoted nor removed."""

from django.core.exceptions import ValidationError
from django.db import transaction

from respond.accounts.models import Membership, Role
from respond.core.audit import Auditor


class LastAdministrator(ValidationError):
    pass


def _lock(membership: Membership) -> tuple[Membership, list[int]]:
    """The membership as it is now, and the organisation's administrator memberships, all locked.

    Locking every administrator row serialises two administrators demoting each other at the same moment: the
    second waits, then sees the first's change and is refused.
    """
    administrators = list(
        Membership.objects.select_for_update(of=("self",))
        .administrators()
        .filter(organisation_id=membership.organisation_id)
        .values_list("pk", flat=True)
    )
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError(f"{membership.user.display_name} no longer has access to {membership.organisation.name}")
    return current, administrators


def _refuse_last_administrator(membership: Membership, administrators: list[int], doing: str) -> None:
    if administrators == [membership.pk]:
        raise LastAdministrator(
            f"You cannot {doing} {membership.user.display_name}: they are the only administrator of "
            f"{membership.organisation.name}. Make someone else an administrator first.",
            code="last_administrator",
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, auditor: Auditor) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "Select administrator or responder"})
    membership, administrators = _lock(membership)
    if membership.role == role:
        return membership
    if role != Role.ADMINISTRATOR:
        _refuse_last_administrator(membership, administrators, "make a responder of")
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    auditor.log(
        "membership.role_changed",
        membership,
        before=before,
        after={"user": membership.user.email, "organisation": membership.organisation.ods_code, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, auditor: Auditor) -> None:
    """Takes away the person's access to the organisation; their account stays, with any other access it has."""
    membership, administrators = _lock(membership)
    _refuse_last_administrator(membership, administrators, "remove")
    auditor.log(
        "membership.removed",
        membership,
        before={
            "user": membership.user.email,
            "organisation": membership.organisation.ods_code,
            "role": membership.role,
            "on_behalf": membership.on_behalf,
        },
    )
    membership.delete()
