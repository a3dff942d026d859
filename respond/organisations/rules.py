import rules

from respond.core.permissions import is_administrator_of, is_auditor, is_csoc, is_member_of, is_signed_in

rules.add_perm("organisations.view_organisations", is_signed_in)
rules.add_perm("organisations.import_organisations", is_csoc)
rules.add_perm("organisations.respond_for", is_member_of)
rules.add_perm("organisations.administer", is_administrator_of)
rules.add_perm("organisations.view_responses", is_member_of | is_auditor | is_csoc)
