"""Who may export what. Auditors and CSOC staff export every organisation's data; administrators and responders
export only their own organisations' (respond.exports.scopes narrows the rows)."""

import rules

from respond.core.permissions import is_auditor, is_csoc, is_member_of, is_signed_in

rules.add_perm("exports.view_exports", is_signed_in)
rules.add_perm("exports.export_everything", is_auditor | is_csoc)
# Object: an Organisation.
rules.add_perm("exports.export_organisation", is_member_of | is_auditor | is_csoc)
rules.add_perm("exports.manage_calendar_feed", is_signed_in)
