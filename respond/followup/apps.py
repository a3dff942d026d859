from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "respond.followup"
    label = "followup"
