from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "scoretrack.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        # Registers the outcome rows' family, so that `lib.derived.refresh()` keeps them.
        from scoretrack.outcomes import derived  # noqa: F401
