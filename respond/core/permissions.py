"""Who may do what. Every view checks these (through `rules`) or uses a scoped queryset."""

import rules

# Memberships (respond.accounts, which builds on this module) are reached through the person's own relation.
ADMINISTRATOR = "administrator"


@rules.predicate
def is_csoc(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_authenticated and user.is_csoc)


@rules.predicate
def is_auditor(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_authenticated and user.is_auditor)


@rules.predicate
def is_member_of(user, organisation) -> bool:  # type: ignore[no-untyped-def]
    if not user.is_authenticated or organisation is None:
        return False
    return user.memberships.filter(organisation=organisation).exists()


@rules.predicate
def is_administrator_of(user, organisation) -> bool:  # type: ignore[no-untyped-def]
    if not user.is_authenticated or organisation is None:
        return False
    return user.memberships.filter(organisation=organisation, role=ADMINISTRATOR).exists()


is_signed_in = rules.is_authenticated & rules.is_active
