from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "scoretrack.training"
    label = "training"

    def ready(self) -> None:
        # Registers the attendance rows' family, so that `lib.derived.refresh()` keeps them.
        from scoretrack.training import derived  # noqa: F401
