"""The results chain: per programme (no country) or per country, its levels from
activities to impact, each naming the registry indicators that measure it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from scoretrack.lib.models import Choices, Record, Violation
from scoretrack.reference.models import CountryProgramme


class Level(Choices):
    ACTIVITY = "activity", gettext_lazy("Activity")
    OUTPUT = "output", gettext_lazy("Output")
    OUTCOME = "outcome", gettext_lazy("Outcome")
    IMPACT = "impact", gettext_lazy("Impact")


LEVEL_ORDER = {code: rank for rank, code in enumerate(Level.codes())}
CODES_SPLIT = re.compile(r"[\s,;]+")


def split_codes(text: str) -> list[str]:
    """Indicator codes as people type them: separated by commas, semicolons or spaces."""
    return list(dict.fromkeys(code for code in CODES_SPLIT.split(text or "") if code))


class ResultLevel(Record):
    """One box of a results chain: a result at one level, with its indicators,
    assumptions and means of verification. `country` blank: the programme's chain."""

    key = models.CharField(max_length=100, help_text="Your own identifier, unique per chain")
    country = models.ForeignKey(
        CountryProgramme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="result_levels",
        help_text="Blank for the programme's chain",
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order among the results of its level"
    )
    statement = models.CharField(max_length=300, help_text="The result, in one sentence")
    indicators = models.CharField(
        max_length=600,
        blank=True,
        help_text="Codes of the registry's indicators that measure it, separated by commas",
    )
    assumptions = models.TextField(blank=True)
    verification = models.TextField(
        blank=True, help_text="Where the figures come from, how they are checked"
    )

    class Meta:
        ordering = ["country__code", "level", "position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "key"],
                condition=Q(country__isnull=False),
                name="result_level_key_unique_per_country",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(country__isnull=True),
                name="result_level_key_unique_programme",
            ),
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="result_level_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.statement}"

    def indicator_codes(self) -> list[str]:
        return split_codes(self.indicators)

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        from scoretrack.indicators.registry import REGISTRY

        for position, record in enumerate(records):
            unknown = [c for c in split_codes(record.indicators) if c not in REGISTRY]
            if unknown:
                yield Violation(
                    position,
                    "indicators",
                    str(gettext_lazy("Not indicator codes of the registry: %(codes)s."))
                    % {"codes": ", ".join(unknown)},
                )
