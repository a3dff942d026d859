from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "respond.exports"
    label = "exports"
