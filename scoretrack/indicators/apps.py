from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "scoretrack.indicators"
    label = "indicators"

    def ready(self) -> None:
        from scoretrack.indicators.definitions import load

        load()
