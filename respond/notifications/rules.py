import rules

from respond.core.permissions import is_administrator_of, is_csoc, is_signed_in

rules.add_perm("notifications.manage_own_contact_details", is_signed_in)
rules.add_perm("notifications.manage_alert_contacts", is_administrator_of | is_csoc)
rules.add_perm("notifications.view_delivery", is_csoc)
rules.add_perm("notifications.retry_delivery", is_csoc)
