from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "respond.alerts"
    label = "alerts"
