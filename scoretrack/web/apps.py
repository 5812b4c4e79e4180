from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "scoretrack.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from scoretrack.lib.freshness import connect

        connect()
