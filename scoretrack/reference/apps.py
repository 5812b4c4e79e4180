from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "scoretrack.reference"
    label = "reference"
