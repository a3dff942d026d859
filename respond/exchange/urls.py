"""An alert's STIX bundle, mounted beside its page at /cyber-alerts/<threat ID>/stix.json."""

from django.urls import path

from respond.exchange import views

app_name = "exchange"

# Public for TLP:CLEAR alerts, as the alert pages are (a restricted alert answers 404 to those it is not for).
PUBLIC_URL_NAMES = {"exchange:alert_stix"}

urlpatterns = [
    path("<str:threat_id>/stix.json", views.alert_stix, name="alert_stix"),
]
