from django.urls import path

from respond.notifications.views import contacts, delivery, webhooks

app_name = "notifications"

# Reachable without signing in (the lead wires these into the MFA allow-list and the URL-walk test).
PUBLIC_URL_NAMES = {"notifications:delivery_receipt"}

urlpatterns = [
    path("contact-preferences/", contacts.contact_preferences, name="contact_preferences"),
    path("contact-preferences/mobile/", contacts.change_mobile, name="change_mobile"),
    path("contact-preferences/email-addresses/add/", contacts.add_extra_email, name="add_extra_email"),
    path(
        "contact-preferences/email-addresses/<int:pk>/remove/", contacts.remove_extra_email, name="remove_extra_email"
    ),
    path("organisations/<str:ods_code>/alert-contacts/", contacts.alert_contacts, name="alert_contacts"),
    path("organisations/<str:ods_code>/alert-contacts/add/", contacts.add_alert_contact, name="add_alert_contact"),
    path(
        "organisations/<str:ods_code>/alert-contacts/<int:pk>/remove/",
        contacts.remove_alert_contact,
        name="remove_alert_contact",
    ),
    path("organisations/<str:ods_code>/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("organisations/<str:ods_code>/webhooks/add/", webhooks.add_webhook, name="add_webhook"),
    path("organisations/<str:ods_code>/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path("organisations/<str:ods_code>/webhooks/<int:pk>/test/", webhooks.send_test_event, name="test_webhook"),
    path("organisations/<str:ods_code>/webhooks/<int:pk>/turn-on/", webhooks.turn_on_webhook, name="turn_on_webhook"),
    path("organisations/<str:ods_code>/webhooks/<int:pk>/remove/", webhooks.remove_webhook, name="remove_webhook"),
    path("csoc/alerts/<str:threat_id>/notifications/", delivery.alert_progress, name="alert_progress"),
    path("csoc/alerts/<str:threat_id>/notifications/retry/", delivery.retry_failed, name="retry_failed"),
    path("notify/delivery-receipts/", delivery.delivery_receipt, name="delivery_receipt"),
]
