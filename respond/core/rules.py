import rules

from respond.core.permissions import is_csoc

rules.add_perm("core.view_auditlog", is_csoc)
rules.add_perm("core.view_csoc_tools", is_csoc)
