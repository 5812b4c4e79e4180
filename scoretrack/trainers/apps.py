from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "scoretrack.trainers"
    label = "trainers"
