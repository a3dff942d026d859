from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "respond.responses"
    label = "responses"
