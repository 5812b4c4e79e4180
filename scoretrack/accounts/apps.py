from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "scoretrack.accounts"
    label = "accounts"
    verbose_name = "Accounts"
