from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "scoretrack.events"
    label = "events"
