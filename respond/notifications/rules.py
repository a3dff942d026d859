import rules

from respond.core.permissions import is_administrator_of, is_csoc, is_signed_in

rules.add_perm("notifications.manage_own_contact_details", is_signed_in)
rules.add_perm("notifications.manage_alert_contacts", is_administrator_of | is_csoc)
rules.add_perm("notifications.view_delivery", is_csoc)
rules.add_perm("notifications.retry_delivery", is_csoc)
# Webhooks carry the organisation's restricted alerts to its own systems: its administrators decide where.
rules.add_perm("notifications.manage_webhooks", is_administrator_of)
