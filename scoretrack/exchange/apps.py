from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "scoretrack.exchange"
    label = "exchange"
    verbose_name = "Workbook exchange (import / export)"
