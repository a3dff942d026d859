import rules

from respond.core.permissions import is_administrator_of, is_csoc, is_signed_in


@rules.predicate
def is_requester(user, access_request) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_authenticated and access_request is not None and access_request.requester_id == user.pk)


rules.add_perm("accounts.create_user", is_csoc)
# The "Manage access to organisations" page, and asking to respond on behalf of another organisation.
rules.add_perm("accounts.manage_own_access", is_signed_in)
rules.add_perm("accounts.withdraw_access_request", is_signed_in & is_requester)
# Object: an organisation. Its administrators run its list of users and decide requests to respond for it.
rules.add_perm("accounts.manage_users", is_administrator_of)
# CSOC resends and revokes the lead administrator invitations it sends.
rules.add_perm("accounts.manage_invitations", is_administrator_of | is_csoc)
rules.add_perm("accounts.nominate_lead_administrator", is_csoc)
rules.add_perm("accounts.view_administrator_coverage", is_csoc)
# Personal API tokens: anyone signed in (with MFA, as every page); revoking is scoped by ApiToken.objects.visible_to.
rules.add_perm("accounts.manage_api_tokens", is_signed_in)
