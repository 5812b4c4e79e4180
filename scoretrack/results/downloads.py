"""The tracking table laid out: as display rows (text in the page language, links
to the definition and to the records behind a cell) and as one flat table of raw
numbers for the xlsx and CSV downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from scoretrack.indicators.definitions.awareness import TRAINING_KINDS
from scoretrack.indicators.disclosure import Hidden
from scoretrack.lib import tables
from scoretrack.lib.charts import format_value
from scoretrack.results.tracking import Cell, Period, Row, Table


@dataclass(frozen=True)
class Records:
    """The list page of the records behind an indicator: `takes` maps each filter of
    the table the list applies to its parameter there (a filter it cannot apply
    leaves the cell without a record link, rather than listing records the figure
    does not count); `dates`: the cell's dates as `from` and `to` ("range"), its
    last day as `day` ("day": a figure of the period's last day), or none;
    `country`: the parameter the table's country goes to; `fixed`: parameters of
    its own (a trainer milestone's kind)."""

    page: str
    takes: dict[str, str]
    dates: str = "range"
    fixed: tuple[tuple[str, str], ...] = ()
    ignores: frozenset[str] = frozenset()  # filters that do not change its records
    country: str = "country"
    day: str = ""  # with dates "day": the parameter of the day


FIRMS = {"partner": "partner", "sector": "sector", "lead_buyer": "lead_buyer"}
DELIVERIES = {**FIRMS, "partner": "organiser", "sex": "sex"}
TRAINERS = {"partner": "organisation", "sex": "sex"}
TRAINED_FIRMS = Records("enterprises:enterprise-list", FIRMS, ignores=frozenset({"sex"}))
# The outcome figures read the firms' assessments, KPIs and plans of all dates, among
# firms of the place: the link lists those firms (not narrowed to the series or
# answers the figure keeps, which no list page shows).
FIRMS_OF_THE_PLACE = Records("enterprises:enterprise-list", FIRMS, dates="none")
TRAINING_EVENTS = tuple(("kind", kind) for kind in TRAINING_KINDS)
RECORDS: tuple[tuple[tuple[str, ...], Records], ...] = (
    (
        (
            "practice_",
            "kpi_",
            "jobs_created",
            "gender_initiatives",
            "smes_cost_savings",
            "cost_savings_",
        ),
        FIRMS_OF_THE_PLACE,
    ),
    (("smes_", "workforce_represented"), TRAINED_FIRMS),
    (
        ("staff_trained", "satisfaction_", "eit_", "deliveries", "enrolments"),
        Records("training:delivery-list", DELIVERIES),
    ),
    *(
        (
            (f"trainers_{kind}",),
            Records("trainers:trainer-list", TRAINERS, fixed=(("milestone", kind),)),
        )
        for kind in ("trained", "certified", "expert")
    ),
    (
        ("partners_active",),
        Records(
            "reference:organisation-list", {}, dates="day", country="active_in", day="active_on"
        ),
    ),
    (
        ("lead_buyers_sponsoring",),
        Records(
            "finance:contribution-list",
            {"lead_buyer": "organisation"},
            fixed=(("organisation_type", "lead_buyer"),),
        ),
    ),
    (
        ("direct_costs_usd", "cost_recovery_pct"),
        Records("finance:cost-list", {"partner": "partner"}),
    ),
    (
        ("contributions_usd",),
        Records("finance:contribution-list", {"partner": "partner", "lead_buyer": "organisation"}),
    ),
    (("constituents_",), Records("events:event-list", {}, fixed=TRAINING_EVENTS)),
    (("ntac_meetings",), Records("events:event-list", {}, fixed=(("kind", "ntac_meeting"),))),
)
UNITS = {"percent": "%", "usd": "USD", "count": "", "mean": ""}


def records_of(code: str) -> Records | None:
    return next((records for codes, records in RECORDS if code.startswith(codes)), None)


def _asked(table: Table) -> dict[str, Any]:
    """The table's filters, as the list pages take them (records' ids)."""
    f = table.filters
    asked: dict[str, Any] = {"sex": table.ask.sex}
    if f is not None:
        asked["sector"] = f.sector_id
        for name, ids in (("partner", f.partner_ids), ("lead_buyer", f.lead_buyer_ids)):
            # a key that names several organisations has no one list filter
            asked[name] = ids[0] if len(ids) == 1 else (ids or None)
    return {name: value for name, value in asked.items() if value is not None}


def records_url(code: str, table: Table, period: Period | None, cumulative: bool = False) -> str:
    """The list of the records behind one cell: its kind's list page filtered by the
    table's country, place filters and sex, and the cell's dates (a cumulative
    cell's from the start). "" when the list cannot apply a filter asked."""
    records = records_of(code)
    if records is None:
        return ""
    query: dict[str, Any] = {}
    if table.ask.country:
        query[records.country] = table.ask.country
    if records.dates == "range" and period is not None:
        if not cumulative:
            query["from"] = period.start.isoformat()
        query["to"] = period.end.isoformat()
    if records.dates == "day" and period is not None:
        query[records.day] = period.end.isoformat()
    fixed: dict[str, list[str]] = {}
    for name, value in records.fixed:
        fixed.setdefault(name, []).append(value)
    for name, value in _asked(table).items():
        if name in records.ignores:
            continue
        if name not in records.takes or isinstance(value, tuple):
            return ""
        query[records.takes[name]] = value
    url = reverse(records.page)
    pairs = [*query.items(), *((name, values) for name, values in fixed.items())]
    return f"{url}?{urlencode(pairs, doseq=True)}" if pairs else url


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


def _cell(cell: Cell, row: Row, table: Table, records: bool) -> ShownCell:
    unit = row.indicator.unit
    if not cell.applies:
        return ShownCell("", _("n/a"), "", "", False, "", False)
    return ShownCell(
        target="" if cell.target is None else _text(cell.target, unit),
        actual=_text(cell.actual, unit),
        percent="" if cell.percent is None else format_value(cell.percent, "%"),
        status=cell.status,
        cumulative=cell.cumulative,
        url=records_url(row.indicator.code, table, cell.period, cell.cumulative) if records else "",
        hidden=cell.hidden,
    )


def shown_rows(table: Table, records: bool) -> list[dict[str, Any]]:
    """The rows as the page shows them; `records`: link cells to their records."""
    return [
        {
            "row": row,
            "level": row.level,
            "code": row.indicator.code,
            "name": row.indicator.name,
            "baseline": _text(row.baseline, row.indicator.unit) if row.applies else _("n/a"),
            "cells": [_cell(cell, row, table, records) for cell in row.cells],
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
