from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "respond.notifications"
    label = "notifications"
