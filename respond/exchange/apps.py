from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "respond.exchange"
    verbose_name = "Threat intelligence exchange (STIX and TAXII)"
