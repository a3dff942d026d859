from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "respond.reports"
    label = "reports"
