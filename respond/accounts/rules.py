import rules

from respond.core.permissions import is_csoc

rules.add_perm("accounts.create_user", is_csoc)
