from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "respond.accounts"
    label = "accounts"
