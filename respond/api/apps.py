from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "respond.api"
    label = "api"
