"""Whole-programme figures read from the tallies: practices, KPIs, modules.

The practice figures and their disclosure counts would otherwise scan every
practice step (a million on a programme of 100,000 firms) once per figure and
per count. `outcomes.PracticeTally` keeps their sums across enterprises per
country, practice and fixed period, exact with the steps (outcomes/derived.py);
a request reads a few thousand of its rows instead. Likewise `outcomes.KpiTally`
(KPI points: kpi_improved_pct, jobs_created; all time and phases) and
`training.ModuleTally` (attendances: smes_more_than_one_module_pct; all time,
phases and years). And `outcomes.KpiSeriesTally`, the firms whose KPI series first
count in each month: disclosure control's counts of the KPI series and KPI changes
up to a period's end (`series_firms`) are sums of its rows up to that end.

It answers only what it holds: a user whose aggregate scope is the whole
programme (its rule gives the others nothing), a fixed period (all time, a phase,
a year, a half-year or a quarter, not a date range; the kinds each tally keeps),
all the records (not "approved data only", which no tally records), and no place
filter but the country (a partner, a sector or a lead buyer narrows the firms in
ways it does not record). Otherwise the caller reads the rows (`None` here).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet, Sum

from scoretrack.indicators.registry import Filters, Source
from scoretrack.outcomes.models import KpiSeriesTally, KpiTally, PracticeTally
from scoretrack.training.models import AttendanceTally, ModuleTally

# A tally key of each dimension a disclosure count groups by (protection.Guard).
COLUMNS = {
    ("by", "practice"): "practice_id",
    ("by", "country"): "country_id",
    ("place", "country"): "country_id",
}
PERIOD_KINDS = ("phase", "year", "half", "quarter")


def _period(filters: Filters) -> tuple[str, str | None] | None:
    """The tally's kind and key of the filters' period; None for a date range."""
    from scoretrack.indicators.protection import period_of

    period = period_of(filters)
    if period.kind == "range":
        return None
    if period.kind == "all":
        return "all", ""
    return period.kind, period.key


def rows(source: Source, filters: Filters, model: type = PracticeTally) -> QuerySet | None:
    """The tally's rows of the filters' country (all periods), or None when the
    tally cannot answer for this user and these filters."""
    if filters.partner_ids or filters.sector_id is not None or filters.lead_buyer_ids:
        return None
    if source.approved_only:  # a tally sums every record, approved or not
        return None
    found = source(model)
    if found.query.where:  # the user's scope is narrower than the whole programme
        return None
    if filters.country_id is not None:
        found = found.filter(country_id=filters.country_id)
    return found


def _keyed(found: QuerySet, kind: str, key: str | None) -> QuerySet:
    if kind == "phase" and key:
        # The phase's id as each database casts it to text.
        phase = uuid.UUID(key)
        return found.filter(kind=kind, period_key__in=[str(phase), phase.hex])
    return found.filter(kind=kind, period_key=key)


def figure_rows(source: Source, filters: Filters, by: str | None) -> QuerySet | None:
    """The tally's rows a practice figure sums: of its period, per practice with
    by=practice, else over any practice."""
    found = rows(source, filters)
    period = _period(filters)
    if found is None or period is None:
        return None
    return _keyed(found, *period).filter(practice__isnull=by != "practice")


def kpi_rows(source: Source, filters: Filters) -> QuerySet | None:
    """The KPI tally's rows of the filters' period (all time or a phase), or None."""
    found = rows(source, filters, KpiTally)
    period = _period(filters)
    if found is None or period is None or period[0] not in ("all", "phase"):
        return None
    return _keyed(found, *period)


def module_rows(source: Source, filters: Filters, by: str | None) -> QuerySet | None:
    """The module tally's rows of the filters' period (all time, a phase or a year):
    per country with by=country or a country filter, else over any country."""
    found = rows(source, filters, ModuleTally)
    period = _period(filters)
    if found is None or period is None or period[0] not in ("all", "phase", "year"):
        return None
    per_country = by == "country" or filters.country_id is not None
    return _keyed(found, *period).filter(country__isnull=not per_country)


def firms(
    source: Source,
    filters: Filters,
    dims: tuple[tuple[str, str | None], ...],
    members: tuple[Any, ...] = (),
) -> list[tuple[tuple[Any, ...], dict[str, int]]] | None:
    """Firms with practice steps, all time or per part of one kind of period, per
    combination of the keys of `dims`, as `Guard._tables` reads them (raw keys: a
    practice's or a country's id, a year, a half or quarter as 20161, a phase's
    id as text, None outside every phase); None when the tally cannot say (or when
    asked for a population narrowed by a `where`, which it does not record)."""
    if any(member.where is not None for member in members):
        return None
    found = rows(source, filters)
    kinds = [name for kind, name in dims if kind == "period"]
    if found is None or len(kinds) > 1 or any(k not in PERIOD_KINDS for k in kinds):
        return None
    if any(dim[0] != "period" and dim not in COLUMNS for dim in dims):
        return None
    kind = kinds[0] if kinds else "all"
    found = found.filter(kind=kind, practice__isnull=("by", "practice") not in dims)
    columns = ["period_key" if dim[0] == "period" else COLUMNS[dim] for dim in dims]
    if not dims:
        return [((), {"n0": found.aggregate(n=Sum("firms"))["n"] or 0})]
    names = sorted(set(columns))
    grouped = found.values(*names).annotate(n=Sum("firms")).order_by()
    return [
        (
            tuple(
                _raw(kind, row[column]) if column == "period_key" else row[column]
                for column in columns
            ),
            {"n0": row["n"]},
        )
        for row in grouped
        if row["n"]
    ]


def _raw(kind: str, key: str) -> Any:
    """A period key as the steps' own grouping gives it."""
    if kind == "phase":
        return str(uuid.UUID(key)) if key else None
    return int(key)


def series_firms(
    source: Source,
    filters: Filters,
    dims: tuple[tuple[str, str | None], ...],
    ends: list[dt.date | None],
    *,
    measure: str,
    columns: Mapping[tuple[str, str | None], str],
) -> list[tuple[tuple[Any, ...], dict[str, int]]] | None:
    """Firms counted up to each of `ends` (None: all time) by the KPI series tally's
    `measure` (sixth: a series with its sixth observation; changed: a series
    compared), per combination of the keys of `dims` as `Guard._count_until` reads
    them (`columns`: the tally's column giving each dimension's raw key, as the
    population's own rows give it); None when the tally cannot say. A firm counts
    in one country (its own), so the countries' rows add up; with no KPI asked, the
    rows of any KPI (a firm once, from its earliest series)."""
    from scoretrack.lib import derived
    from scoretrack.outcomes.derived import OUTCOMES

    if any(dim not in columns for dim in dims):
        return None
    found = rows(source, filters, KpiSeriesTally)
    if found is None:
        return None
    derived.refresh(OUTCOMES)
    found = found.filter(kpi__isnull=not any(dim[0] == "by" and dim[1] == "kpi" for dim in dims))
    sums = {
        f"e{i}": Sum(measure) if end is None else Sum(measure, filter=Q(month__lte=end))
        for i, end in enumerate(ends)
    }
    names = [columns[dim] for dim in dims]
    if not dims:
        return [((), found.aggregate(**sums))]
    grouped = found.values(*dict.fromkeys(names)).annotate(**sums).order_by()
    return [(tuple(row[name] for name in names), row) for row in grouped]


# The attendance tally's sum of each member of the SME family (populations.py).
ATTENDANCE_MEASURES = {
    "smes": "firms",
    "smes-owner": "owner_known",
    "smes-union": "union_known",
    "smes-agreement": "agreement_known",
    "smes-eit": "eit",
    "staff-sex": "sex_known",
    "staff-rated": "rated",
    "smes-home": "firms",
    "smes-workforce": "workforce_known",
}


def attendance_firms(
    source: Source,
    filters: Filters,
    dims: tuple[tuple[str, str | None], ...],
    members: tuple[Any, ...],
    *,
    columns: Mapping[tuple[str, str | None], str],
) -> list[tuple[tuple[Any, ...], dict[str, int]]] | None:
    """Firms of the attendances of each of `members` (the SME family's, by name:
    `ATTENDANCE_MEASURES`), all time or per part of one kind of period, per
    combination of the keys of `dims`, as `Guard._tables` reads them from the
    attendances (`columns`: the tally's column giving each other dimension's raw
    key, as the population's rows give it: the delivery's country, the module);
    None when the tally cannot say. A firm counts once in a cell of several
    countries or modules: the tally's rows of any country or module (NULL) say it."""
    from scoretrack.lib import derived
    from scoretrack.training.derived import ATTENDANCE

    if any(member.name not in ATTENDANCE_MEASURES for member in members):
        return None
    kinds = [name for kind, name in dims if kind == "period"]
    if len(kinds) > 1 or any(k not in PERIOD_KINDS for k in kinds):
        return None
    if any(dim[0] != "period" and dim not in columns for dim in dims):
        return None
    found = rows(source, filters, AttendanceTally)
    if found is None:
        return None
    derived.refresh(ATTENDANCE)
    names = ["period_key" if dim[0] == "period" else columns[dim] for dim in dims]
    per_country = "country_id" in names or filters.country_id is not None
    kind = kinds[0] if kinds else "all"
    found = found.filter(
        kind=kind, country__isnull=not per_country, module__isnull="module_id" not in names
    )
    sums = {f"n{i}": Sum(ATTENDANCE_MEASURES[member.name]) for i, member in enumerate(members)}
    if not dims:
        return [((), found.aggregate(**sums))]
    grouped = found.values(*dict.fromkeys(names)).annotate(**sums).order_by()
    return [
        (
            tuple(_raw(kind, row[name]) if name == "period_key" else row[name] for name in names),
            row,
        )
        for row in grouped
    ]
