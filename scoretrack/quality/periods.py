"""Reporting periods of an approval: a quarter, a half-year or a year ("2016Q1",
"2016H2", "2016"), with their first and last day."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

KINDS = ("quarter", "half", "year")
_PATTERN = re.compile(r"^(\d{4})(?:([QH])([1-4]))?$")


@dataclass(frozen=True)
class Period:
    year: int
    kind: str  # "quarter", "half" or "year"
    number: int = 0  # the quarter (1-4) or half (1-2); 0 for a year

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period of a code; ValueError saying what a code looks like."""
        found = _PATTERN.match(code.strip().upper())
        if found is None:
            raise ValueError(f"'{code}' is not a period: write 2016Q1, 2016H1 or 2016")
        year, letter, number = int(found[1]), found[2], int(found[3] or 0)
        if not 1900 <= year <= 2100:
            raise ValueError(f"'{code}': implausible year {year}")
        if letter == "H" and number > 2:
            raise ValueError(f"'{code}': a half-year is H1 or H2")
        kind = {"Q": "quarter", "H": "half", None: "year"}[letter]
        return cls(year, kind, number)

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> Period:
        if kind == "quarter":
            return cls(day.year, kind, (day.month - 1) // 3 + 1)
        if kind == "half":
            return cls(day.year, kind, 1 if day.month <= 6 else 2)
        return cls(day.year, "year")

    @property
    def code(self) -> str:
        letter = {"quarter": "Q", "half": "H", "year": ""}[self.kind]
        return f"{self.year}{letter}{self.number or ''}"

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return _("%(year)s Q%(number)s") % {"year": self.year, "number": self.number}
        if self.kind == "half":
            return _("%(year)s H%(number)s") % {"year": self.year, "number": self.number}
        return str(self.year)

    @property
    def months(self) -> int:
        return {"quarter": 3, "half": 6, "year": 12}[self.kind]

    @property
    def start(self) -> dt.date:
        first = 1 if self.kind == "year" else (self.number - 1) * self.months + 1
        return dt.date(self.year, first, 1)

    @property
    def end(self) -> dt.date:
        last = self.start.month + self.months - 1
        following = dt.date(self.year + 1, 1, 1) if last == 12 else dt.date(self.year, last + 1, 1)
        return following - dt.timedelta(days=1)

    def __str__(self) -> str:
        return self.label
