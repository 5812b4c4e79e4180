from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "scoretrack.finance"
    label = "finance"
