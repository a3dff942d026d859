from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "respond.groups"
    label = "groups"
    verbose_name = "Closed incident groups"
