"""Who an invitation form names: registered people by email address, the administrators of organisations
(an alert's scope narrowed by region and type, or pasted ODS codes), and someone without an account yet.

Every problem is named at once, each pasted line with its number, and nothing is invited until none is left."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from respond.accounts.models import User
from respond.alerts.models import Alert
from respond.groups.services import Invitee, administrators_of
from respond.organisations.models import Organisation

_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass
class InviteeList:
    invitees: list[Invitee] = field(default_factory=list)
    without_administrators: list[Organisation] = field(default_factory=list)


def _lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, item)
        for number, line in enumerate(text.splitlines(), start=1)
        for item in _SEPARATORS.split(line.strip())
        if item
    ]


def _named_users(text: str, errors: dict[str, list[str]]) -> list[Invitee]:
    entries = _lines(text)
    found = {u.email.lower(): u for u in User.objects.filter(email__in=[e.lower() for _, e in entries])}
    invitees = []
    for number, email in entries:
        user = found.get(email.lower())
        if user is None or not user.is_active:
            errors.setdefault("users", []).append(f"Line {number}: there is no registered user {email}")
        else:
            invitees.append(Invitee(email=user.email, user=user))
    return invitees


def _pasted_organisations(text: str, errors: dict[str, list[str]]) -> list[Organisation]:
    entries = [(number, code.upper()) for number, code in _lines(text)]
    found = {o.ods_code: o for o in Organisation.objects.active().filter(ods_code__in=[c for _, c in entries])}
    unknown = [
        f"Line {number}: {code} is not the ODS code of an open organisation"
        for number, code in entries
        if code not in found
    ]
    if unknown:
        errors["ods_codes"] = unknown
    return [found[code] for _, code in entries if code in found]


def resolve_invitees(
    *,
    users: str = "",
    alert: Alert | None = None,
    regions: Sequence[str] = (),
    organisation_types: Sequence[str] = (),
    ods_codes: str = "",
    new_email: str = "",
    new_full_name: str = "",
    new_ods_code: str = "",
) -> InviteeList:
    errors: dict[str, list[str]] = {}
    invitees = _named_users(users, errors)
    organisations: list[Organisation] = []
    if alert is not None or regions or organisation_types:
        scope = alert.in_scope_organisations() if alert is not None else Organisation.objects.mandated()
        if regions:
            scope = scope.filter(region__code__in=regions)
        if organisation_types:
            scope = scope.filter(organisation_type__in=organisation_types)
        organisations.extend(scope.order_by("name"))
    organisations.extend(_pasted_organisations(ods_codes, errors))
    organisations = list({o.pk: o for o in organisations}.values())
    administrators, without = administrators_of(organisations)
    invitees.extend(administrators)
    if new_email.strip() or new_full_name.strip() or new_ods_code.strip():
        invitees.extend(_new_person(new_email, new_full_name, new_ods_code, errors))
    if errors:
        raise ValidationError(errors)
    return InviteeList(invitees=invitees, without_administrators=without)


def _new_person(email: str, full_name: str, ods_code: str, errors: dict[str, list[str]]) -> list[Invitee]:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["new_email"] = [f"{email or 'The email address'} is not a valid email address"]
    existing = User.objects.filter(email__iexact=email).first() if email else None
    if existing is not None:
        return [Invitee(email=existing.email, user=existing)]
    if not full_name.strip():
        errors["new_full_name"] = ["Enter their full name"]
    organisation = Organisation.objects.active().filter(ods_code=ods_code.strip().upper()).first()
    if organisation is None:
        errors["new_ods_code"] = [
            f"{ods_code.strip().upper()} is not the ODS code of an open organisation"
            if ods_code.strip()
            else "Enter the ODS code of their organisation"
        ]
    if "new_email" in errors or organisation is None or not full_name.strip():
        return []
    return [Invitee(email=email, organisation=organisation, full_name=" ".join(full_name.split()))]
