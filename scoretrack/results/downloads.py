"""The tracking table laid out: as display rows (text in the page language, links
to the definition and to the records behind a cell) and as one flat table of raw
numbers for the xlsx and CSV downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from scoretrack.indicators.disclosure import Hidden
from scoretrack.lib import tables
from scoretrack.lib.charts import format_value
from scoretrack.results.tracking import Cell, Period, Row, Table

# Where the records behind an indicator are listed: a list page taking ?country=
# and, for records dated by year, ?year=.
RECORDS = {
    "enterprise-list": (
        "smes_",
        "workforce_represented",
        "jobs_created",
        "practice_",
        "kpi_",
        "gender_initiatives",
    ),
    "delivery-list": ("staff_trained", "satisfaction_", "eit_", "deliveries", "enrolments"),
    "trainer-list": ("trainers_",),
    "organisation-list": ("partners_active", "lead_buyers_sponsoring"),
    "cost-list": ("direct_costs_usd", "cost_recovery_pct"),
    "contribution-list": ("contributions_usd",),
    "event-list": ("constituents_", "ntac_meetings"),
}
APPS = {
    "enterprise-list": "enterprises",
    "delivery-list": "training",
    "trainer-list": "trainers",
    "organisation-list": "reference",
    "cost-list": "finance",
    "contribution-list": "finance",
    "event-list": "events",
}
BY_YEAR = {"delivery-list", "cost-list", "contribution-list", "event-list"}
UNITS = {"percent": "%", "usd": "USD", "count": "", "mean": ""}


def records_url(code: str, country: str | None, period: Period | None) -> str:
    """The list page of the records an indicator counts, for the country and (where
    the list filters by year) the period's year."""
    name = next((page for page, codes in RECORDS.items() if code.startswith(codes)), None)
    if name is None:
        return ""
    query: dict[str, Any] = {}
    if country:
        query["country"] = country
    if name in BY_YEAR and period is not None and period.start.year == period.end.year:
        query["year"] = period.start.year
    url = reverse(f"{APPS[name]}:{name}")
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class ShownCell:
    target: str
    actual: str
    percent: str
    status: str
    cumulative: bool
    url: str
    hidden: bool


def _text(value: Any, unit: str) -> str:
    if isinstance(value, Hidden):
        return tables.hidden_text(value)
    return format_value(value, UNITS.get(unit, ""))


def _cell(cell: Cell, row: Row, country: str | None, records: bool) -> ShownCell:
    unit = row.indicator.unit
    if not cell.applies:
        return ShownCell("", _("n/a"), "", "", False, "", False)
    return ShownCell(
        target="" if cell.target is None else _text(cell.target, unit),
        actual=_text(cell.actual, unit),
        percent="" if cell.percent is None else format_value(cell.percent, "%"),
        status=cell.status,
        cumulative=cell.cumulative,
        url=records_url(row.indicator.code, country, cell.period) if records else "",
        hidden=cell.hidden,
    )


def shown_rows(table: Table, records: bool) -> list[dict[str, Any]]:
    """The rows as the page shows them; `records`: link cells to their records."""
    country = table.ask.country
    return [
        {
            "row": row,
            "level": row.level,
            "code": row.indicator.code,
            "name": row.indicator.name,
            "baseline": _text(row.baseline, row.indicator.unit) if row.applies else _("n/a"),
            "cells": [_cell(cell, row, country, records) for cell in row.cells],
            "definition": reverse("indicators:definitions") + f"#{row.indicator.code}",
        }
        for row in table.rows
    ]


def as_table(table: Table) -> tables.Table:
    """One line per indicator and period, raw numbers: what the downloads hold."""
    header = [
        _("Level"),
        _("Result"),
        _("Indicator"),
        _("Code"),
        _("Period"),
        _("Baseline"),
        _("Target"),
        _("Cumulative target"),
        _("Actual"),
        _("Share of target (%)"),
        _("Status"),
    ]
    statuses = {"on_track": _("on track"), "behind": _("behind"), "": ""}
    rows = [
        [
            row.level.get_level_display(),
            row.level.statement,
            row.indicator.name,
            row.indicator.code,
            cell.period.label,
            row.baseline if row.applies else _("n/a"),
            cell.target,
            _("yes") if cell.cumulative else _("no"),
            cell.actual if cell.applies else _("n/a"),
            cell.percent,
            statuses[cell.status],
        ]
        for row in table.rows
        for cell in row.cells
    ]
    return tables.Table(
        slug=f"tracking-{table.ask.country or 'programme'}-{table.ask.period}",
        title=_("Indicator tracking table"),
        header=header,
        rows=rows,
        codes=[row.indicator.code for row in table.rows],
    )
