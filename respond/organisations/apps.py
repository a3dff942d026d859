from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "respond.organisations"
    label = "organisations"
