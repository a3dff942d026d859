from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "respond.demo"
    label = "demo"
