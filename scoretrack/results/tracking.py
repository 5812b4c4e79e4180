"""The indicator performance tracking table (IPTT): every indicator of a results
chain, period by period: baseline, target, actual, % of target, on track or behind.

Nothing here computes a figure: each actual is `registry.compute` of a code for a
period (through `reports.figures.Figures` and its memo). A periodic indicator's
baseline and periods are asked at once (`series.compute_series`: two queries
per indicator at most, whatever the number of periods), the others' one by one; all side by
side on REPORT_WORKERS connections. Targets are read in one query and matched to
the periods here. The page keeps the table like a report (`reports/cache.py`: per
reading scope, language, filters and data version), and the worker makes the
default one of the programme and of each country ahead of its readers
(`reports/warm.py`).

The rule, documented on the page:
- **% of target** is the actual over the period's full target, times 100.
- A target is **pro-rated** in the period that is under way: counts and amounts
  (units count, usd) are due in proportion to the days gone (a quarter half gone
  owes half its target); percentages and means are due in full.
- **On track**: the actual is at least 90% of the pro-rated target; **behind**
  otherwise. Periods not begun, and cells with no target or no actual, get no mark.
- A **cumulative** target is compared with the figure counted from the
  programme's start to the period's end; other targets with the period's own.
- **Baseline**: the figure from the programme's start to the day before the
  table's first period (for a percentage, the share over those records).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.indicators.disclosure import Hidden
from scoretrack.indicators.registry import (
    HALVES,
    PLACE_FILTERS,
    QUARTERS,
    REGISTRY,
    Filters,
    Indicator,
    Source,
    _last_day,
    resolve,
)
from scoretrack.indicators.registry import Request as FigureRequest
from scoretrack.lib.derived import refreshed_once
from scoretrack.reference.models import Phase, Target
from scoretrack.reports.figures import Figures
from scoretrack.results.models import LEVEL_ORDER, Level, ResultLevel

ON_TRACK_SHARE = Decimal("0.9")
PERIOD_KINDS = {
    "phase": gettext_lazy("Phase"),
    "year": gettext_lazy("Year"),
    "half": gettext_lazy("Half-year"),
    "quarter": gettext_lazy("Quarter"),
}
SEXES = ("female", "male")
ACCUMULATED = ("count", "usd")  # units whose targets are pro-rated in a period under way


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date
    phase: str | None = None
    phase_id: Any = None
    year: int | None = None
    half: int | None = None
    quarter: int | None = None

    def filters(self, base: Filters) -> Filters:
        return dataclasses.replace(
            base,
            phase=self.phase,
            phase_id=self.phase_id,
            year=self.year,
            half=self.half,
            quarter=self.quarter,
            start=self.start,
            end=self.end,
        )

    def matches(self, target: Target) -> bool:
        if self.phase_id is not None:
            return target.phase_id == self.phase_id
        if target.start_date is not None:
            return (target.start_date, target.end_date) == (self.start, self.end)
        return (target.phase_id, target.year, target.half, target.quarter) == (
            None,
            self.year,
            self.half,
            self.quarter,
        )


@dataclass(frozen=True)
class Ask:
    """What the table is asked for: a country or the programme, the kind of period
    and its years, the place filters and a sex."""

    country: str | None = None
    period: str = "year"
    first_year: int | None = None
    last_year: int | None = None
    partner: str | None = None
    sector: str | None = None
    lead_buyer: str | None = None
    sex: str | None = None
    today: dt.date | None = None


@dataclass
class Cell:
    period: Period
    target: float | None = None
    cumulative: bool = False
    actual: Any = None  # a number, None, or a `disclosure.Hidden`
    applies: bool = True  # False: a filter the indicator does not take
    percent: float | None = None
    status: str = ""  # "on_track", "behind" or ""

    @property
    def hidden(self) -> bool:
        return isinstance(self.actual, Hidden)


@dataclass
class Row:
    level: ResultLevel
    indicator: Indicator
    baseline: Any = None
    cells: list[Cell] = field(default_factory=list)
    applies: bool = True
    records_url: str = ""


@dataclass
class Table:
    ask: Ask
    periods: list[Period]
    rows: list[Row]
    chain_country: str | None  # whose chain it is (None: the programme's)
    filters: Filters | None = None  # the place filters resolved (their records' ids)


# --- periods ---------------------------------------------------------------------


def periods_of(ask: Ask, phases: Sequence[Phase], today: dt.date) -> list[Period]:
    """The table's columns. Phases: every phase. Years, halves, quarters: from
    `first_year` to `last_year`, by default the phases' years up to this one
    (halves and quarters: the last four of them)."""
    if ask.period == "phase":
        return [
            Period(f"{_('Phase')} {p.name}", p.start_date, p.end_date, p.name, p.pk) for p in phases
        ]
    first, last = _years(ask, phases, today)
    found: list[Period] = []
    for year in range(first, last + 1):
        if ask.period == "year":
            found.append(Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), year=year))
        parts = {"half": HALVES, "quarter": QUARTERS}.get(ask.period, {})
        letter = "H" if ask.period == "half" else "Q"
        for number, (first_month, last_month) in parts.items():
            found.append(
                Period(
                    f"{year} {letter}{number}",
                    dt.date(year, first_month, 1),
                    _last_day(year, last_month),
                    year=year,
                    **{ask.period: number},
                )
            )
    return found


def _years(ask: Ask, phases: Sequence[Phase], today: dt.date) -> tuple[int, int]:
    last = ask.last_year
    if last is None:
        ends = [p.end_date.year for p in phases]
        last = min(max(ends), today.year) if ends else today.year
    first = ask.first_year
    if first is None:
        starts = [p.start_date.year for p in phases]
        first = min(starts) if starts and ask.period == "year" else last - 3
    return first, max(first, last)


# --- the table -------------------------------------------------------------------


def chain_of(user: Any, country: str | None) -> tuple[list[ResultLevel], str | None]:
    """The country's chain; a country without one follows the programme's."""
    levels = ResultLevel.objects.visible_to(user).select_related("country")
    if country is not None:
        own = [level for level in levels if level.country and level.country.code == country]
        if own:
            return _ordered(own), country
    return _ordered([level for level in levels if level.country_id is None]), None


def _ordered(levels: list[ResultLevel]) -> list[ResultLevel]:
    """Top down, as a results framework reads: impact first, activities last."""
    return sorted(levels, key=lambda lv: (-LEVEL_ORDER[lv.level], lv.position, lv.key))


def tracking_table(user: Any, ask: Ask) -> Table:
    """The table for `user`; an unknown country, partner, sector or lead buyer, or a
    sex the table does not know, raises ValidationError naming it."""
    from django.core.exceptions import ValidationError

    if ask.sex is not None and ask.sex not in SEXES:
        raise ValidationError({"sex": [f"sex is female or male, not '{ask.sex}'"]})
    if ask.period not in PERIOD_KINDS:
        raise ValidationError({"period": [f"period is one of {', '.join(PERIOD_KINDS)}"]})
    source = Source(user)
    base = resolve(
        source,
        FigureRequest(
            codes=["smes_trained"],  # takes every place filter: only the values are checked
            country=ask.country,
            partner=ask.partner,
            sector=ask.sector,
            lead_buyer=ask.lead_buyer,
        ),
    )
    today = ask.today or dt.date.today()
    phases = list(source(Phase).order_by("start_date"))
    periods = periods_of(ask, phases, today)
    levels, chain_country = chain_of(user, ask.country)
    rows = [
        Row(level=level, indicator=REGISTRY[code])
        for level in levels
        for code in level.indicator_codes()
        if code in REGISTRY
    ]
    fig = Figures(user=user, filters=base)
    targets = _targets(source, rows, base, ask)
    with refreshed_once():  # the derived rows some figures count: brought up to date once
        _ask_all(fig, rows, periods, targets, base, ask)
        for row in rows:
            _fill(fig, row, periods, targets, base, ask, today)
    return Table(ask=ask, periods=periods, rows=rows, chain_country=chain_country, filters=base)


def _applies(indicator: Indicator, base: Filters, ask: Ask) -> bool:
    """Whether every filter asked is one the indicator takes."""
    if not base.places() <= indicator.places:
        return False
    return ask.sex is None or "sex" in indicator.by


def _by(ask: Ask) -> str | None:
    return "sex" if ask.sex is not None else None


def _baseline_filters(base: Filters, periods: list[Period]) -> Filters | None:
    if not periods:
        return None
    return dataclasses.replace(base, start=None, end=periods[0].start - dt.timedelta(days=1))


def _up_to(base: Filters, period: Period) -> Filters:
    return dataclasses.replace(base, start=None, end=period.end)


def _ask_all(
    fig: Figures,
    rows: list[Row],
    periods: list[Period],
    targets: dict[str, list[Target]],
    base: Filters,
    ask: Ask,
) -> None:
    """Every figure the table shows, into the page's memo: a periodic indicator's
    baseline and periods in two queries at most (`Figures.series`), the others' one by one;
    side by side on REPORT_WORKERS connections where it can (else the series here,
    the others as `_fill` comes to them)."""
    series: list[Callable[[], Any]] = []
    alone: list[Callable[[], Any]] = []
    for code in dict.fromkeys(row.indicator.code for row in rows):
        if not _applies(REGISTRY[code], base, ask):
            continue
        asked = _asked(code, periods, targets, base, ask)
        if REGISTRY[code].periodic:
            series.append(functools.partial(fig.series, code, asked))
        else:
            alone.extend(functools.partial(fig.get, code, filters=f, by=f.by) for f in asked)
    if not fig.side_by_side(series + alone):
        for job in series:
            job()


def _asked(
    code: str, periods: list[Period], targets: dict[str, list[Target]], base: Filters, ask: Ask
) -> list[Filters]:
    """The filters of a row's figures: its baseline, then each period's own or
    (a cumulative target) "up to" figure."""
    by = _by(ask)
    baseline = _baseline_filters(base, periods)
    asked = [] if baseline is None else [dataclasses.replace(baseline, by=by)]
    for period in periods:
        target = _target_of(targets.get(code, []), period)
        cumulative = target is not None and target.cumulative
        filters = _up_to(base, period) if cumulative else period.filters(base)
        asked.append(dataclasses.replace(filters, by=by))
    return asked


def _targets(source: Source, rows: list[Row], base: Filters, ask: Ask) -> dict[str, list[Target]]:
    """The targets of the table's indicators for its country (or global) and group,
    in one query. Targets are set per country: with a place filter there are none."""
    if base.places():
        return {}
    found: dict[str, list[Target]] = {}
    queryset = source(Target).filter(
        indicator__in={row.indicator.code for row in rows},
        country_id=base.country_id,
        disaggregation="sex" if ask.sex else "",
        group=ask.sex or "",
    )
    for target in queryset:
        found.setdefault(target.indicator, []).append(target)
    return found


def _target_of(targets: list[Target], period: Period) -> Target | None:
    return next((t for t in targets if period.matches(t)), None)


def _value(fig: Figures, code: str, filters: Filters, ask: Ask) -> Any:
    value = fig.get(code, by=_by(ask), filters=filters)
    if ask.sex is None or isinstance(value, Hidden):
        return value
    groups = value if isinstance(value, dict) else {}
    return groups.get(ask.sex, 0 if REGISTRY[code].unit in ACCUMULATED else None)


def _fill(
    fig: Figures,
    row: Row,
    periods: list[Period],
    targets: dict[str, list[Target]],
    base: Filters,
    ask: Ask,
    today: dt.date,
) -> None:
    code = row.indicator.code
    row.applies = _applies(row.indicator, base, ask)
    baseline = _baseline_filters(base, periods)
    if row.applies and baseline is not None:
        row.baseline = _value(fig, code, baseline, ask)
    for period in periods:
        target = _target_of(targets.get(code, []), period)
        cell = Cell(period=period, applies=row.applies)
        if target is not None:
            cell.target, cell.cumulative = float(target.value), target.cumulative
        if row.applies:
            filters = _up_to(base, period) if cell.cumulative else period.filters(base)
            cell.actual = _value(fig, code, filters, ask)
            _judge(cell, row.indicator, today)
        row.cells.append(cell)


def _judge(cell: Cell, indicator: Indicator, today: dt.date) -> None:
    """% of target and the mark, by the rule of the module's docstring."""
    actual = cell.actual
    if cell.target is None or actual is None or isinstance(actual, Hidden):
        return
    if cell.target:
        cell.percent = float(actual) * 100 / cell.target
    if cell.period.start > today:
        return
    due = Decimal(str(cell.target)) * _share_gone(cell.period, indicator, today)
    cell.status = "on_track" if Decimal(str(actual)) >= ON_TRACK_SHARE * due else "behind"


def _share_gone(period: Period, indicator: Indicator, today: dt.date) -> Decimal:
    if indicator.unit not in ACCUMULATED or today >= period.end:
        return Decimal(1)
    gone = (today - period.start).days + 1
    return Decimal(gone) / Decimal((period.end - period.start).days + 1)


def level_label(code: str) -> str:
    return str(Level(code).label)


__all__ = ["PLACE_FILTERS", "Ask", "Table", "tracking_table"]
