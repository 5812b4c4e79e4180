from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "scoretrack.results"
    label = "results"
