"""Dates and months as the workbook and the API take them: ISO text, in years a
record of the programme can have.

A year before 1900 or after 2100 is a typing slip or a number read as a date
(a spreadsheet's day 0 is 1899-12-30), never a record: refused at parse as an
impossible date, whatever the rules of a kind add later (a visit is not in the
future, an end follows its start).
"""

from __future__ import annotations

import datetime as dt
import re

FIRST_YEAR, LAST_YEAR = 1900, 2100
IMPOSSIBLE = f"impossible date: the year must be {FIRST_YEAR} to {LAST_YEAR}"
NOT_A_DATE = "not a date: use YYYY-MM-DD"
NOT_A_MONTH = "not a month: use YYYY-MM"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def plausible(day: dt.date) -> dt.date:
    """The day itself, or a ValueError when its year is impossible."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(IMPOSSIBLE)
    return day


def parse_date(text: str) -> dt.date:
    """`YYYY-MM-DD` only: Python would also read 20200101 and 2020-W01-1."""
    if not _DATE.match(text):
        raise ValueError(NOT_A_DATE)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(NOT_A_DATE) from None
    return plausible(day)


def parse_month(text: str) -> dt.date:
    """`YYYY-MM`, as the first day of that month."""
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(NOT_A_MONTH)
    return plausible(dt.date(int(match[1]), int(match[2]), 1))
