from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "scoretrack.enterprises"
    label = "enterprises"
