from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "scoretrack.training"
    label = "training"
