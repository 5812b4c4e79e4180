from django.apps import AppConfig


class QualityConfig(AppConfig):
    """Data reviewed before it counts: approval of a country's data per period (an
    approved period is locked against every write) and the data-quality rules."""

    name = "scoretrack.quality"
    label = "quality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        # Every write path (Record.save and delete, the importer, deletion sets) asks
        # the locks through lib's hooks.
        from scoretrack.lib import hooks
        from scoretrack.quality.locks import violations

        hooks.install_locks(violations)
