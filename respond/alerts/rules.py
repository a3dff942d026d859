import rules

from respond.core.permissions import is_auditor, is_csoc

# Writing, approving and publishing alerts, and every change after publication.
rules.add_perm("alerts.manage_alerts", is_csoc)
# The CSOC alert pages, read-only: drafts, approvals, version history.
rules.add_perm("alerts.view_alert_workspace", is_csoc | is_auditor)
