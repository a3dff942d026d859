"""Who may read the compliance reports. Auditors and CSOC staff read them all; an organisation's own members
(administrators and responders) read only their organisation's history."""

import rules

from respond.core.permissions import is_auditor, is_csoc, is_member_of

# Every organisation's figures: the alert reports, the list of alerts and the figures over time.
rules.add_perm("reports.view_reports", is_auditor | is_csoc)
# Object: an Organisation (its history across alerts). Global roles first: they need no query.
rules.add_perm("reports.view_organisation_report", is_auditor | is_csoc | is_member_of)
