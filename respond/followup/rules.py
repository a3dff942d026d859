import rules

from respond.core.permissions import is_auditor, is_csoc

# Chasing organisations shows every organisation's administrators and sends them messages.
rules.add_perm("followup.chase", is_auditor | is_csoc)
