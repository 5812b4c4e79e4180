from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "scoretrack.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from scoretrack.lib import crud
        from scoretrack.lib.freshness import connect
        from scoretrack.web import deletion

        connect()
        crud.register_deletion(
            crud.Deletion(plan=deletion.deletion_plan, delete=deletion.page_delete)
        )
