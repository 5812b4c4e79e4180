from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "scoretrack.outcomes"
    label = "outcomes"
