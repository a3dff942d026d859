from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "respond.core"
    label = "core"
