"""Sizes of change: how much the firms' KPIs changed, and how much they saved.

The report's "productivity up 30% on average, from 0.2% to 200%" and "savings
from US$500 to US$50,000": the mean, median and range (smallest, largest) of one
value per firm. Each of the four statistics is its own figure; one query gives
all four (and the page's other three read it from its memo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Abs, Cast

from scoretrack.indicators import populations, queries
from scoretrack.indicators.definitions.outcomes import (
    ENTERPRISE_PLACES,
    WHICH_ENTERPRISES,
)
from scoretrack.indicators.registry import Context, Value, indicator, key_of, number
from scoretrack.indicators.series import WHEN, pairs, window_table
from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiPoint

STATISTICS = {
    "mean": ("mean", "the mean"),
    "median": ("median", "the median (the middle value, or the mean of the two middle ones)"),
    "min": ("smallest", "the smallest"),
    "max": ("largest", "the largest"),
}
MONTHS_APART = 6
# The smallest and the largest are each one firm's own value, however many firms
# they are chosen among: lead buyers and viewers never see them (and a range
# narrowed by filters would name the firm). The mean and the median stay under the
# threshold rule: over at least the threshold's firms, no one firm's value can be
# told apart (a median of an odd count is the middle firm's value, but not whose).
SINGLE = ("min", "max")
SINGLE_DEFINITION = """
 Hidden from lead buyers and viewers whatever the number of firms: it is the value
 of a single enterprise (see Disclosure control).
"""
KPI_KEYS = populations.KPI_CHANGE_KEYS
SAVING_KEYS = populations.SAVING_KEYS


# --- the one query: mean, median, smallest and largest, in total or per group ------


def distribution(ctx: Context, name: str, rows: QuerySet) -> Any:
    """Mean, median, min and max of `rows`' column `x`, in total or per value of its
    column `_key`: {"n", "mean", "median", "min", "max"}, or such a dict per key.

    One query, kept in the page's memo under `name` (the four statistics' figures
    read it once). The median is PostgreSQL's percentile_cont; SQLite has no such
    aggregate, so there the values are numbered within their group by a window
    function and the middle one (or the mean of the middle two) taken.
    """
    return ctx.shared(name, lambda: _distribution(ctx, rows))


def _distribution(ctx: Context, rows: QuerySet) -> Any:
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a scope that can see no row: nothing to measure
        return {"n": 0} if ctx.by is None else {}
    connection = connections[rows.db]
    values = f"SELECT _key, x FROM ({sql}) v WHERE x IS NOT NULL"
    if connection.vendor == "postgresql":
        median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY x)"
        source = f"({values}) t"
    else:
        median = "AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN x END)"
        source = (
            "(SELECT _key, x, ROW_NUMBER() OVER (PARTITION BY _key ORDER BY x) AS rn,"
            f" COUNT(*) OVER (PARTITION BY _key) AS n FROM ({values}) s) t"
        )
    query = f"SELECT _key, COUNT(*), AVG(x), {median}, MIN(x), MAX(x) FROM {source} GROUP BY _key"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        # Looping over the few result groups only shapes the dict.
        found = {
            key_of(row[0]): dict(zip(("n", "mean", "median", "min", "max"), row[1:], strict=True))
            for row in cursor.fetchall()
        }
    if ctx.by is None:
        return found.get("", {"n": 0})
    return {key: found[key] for key in sorted(found)}


def distributions(ctx: Context, name: str, rows: QuerySet) -> list[Any]:
    """`distribution` at each end of a series (`ctx.filters.windows`), in one query
    over `rows` (with `month` and `next_month`: the KPI points that are latest from
    their month until the day before their next one), measured per end as
    `distribution` measures one end's: the rows read once (MATERIALIZED), each with
    a flag per end (whether it is the latest at that end) and sorted once per group
    by `x`, a running count per end giving each row's place among that end's rows;
    the median is the middle place's value (or the mean of the two middle ones), as
    percentile_cont gives it. Each row once, not once per end it is the latest at:
    a series that stopped reporting is the latest at every end after it (2.4
    million rows for 262,000 at 100,000 enterprises, sorted per end)."""
    return ctx.shared(name, lambda: _distributions(ctx, rows))


def _distributions(ctx: Context, rows: QuerySet) -> list[Any]:
    ends = [end or dt.date.max for _start, end in ctx.filters.windows]
    nothing = {"n": 0} if ctx.by is None else {}
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return [nothing for _ in ends]
    connection = connections[rows.db]
    postgres = connection.vendor == "postgresql"
    # A date parameter typed as such on PostgreSQL; SQLite keeps dates as ISO text.
    end = "CAST(%s AS date)" if postgres else "%s"
    flags, runs, stats, bounds = [], [], [], []
    for k, day in enumerate(ends):
        flags.append(
            f"CASE WHEN month <= {end} AND (next_month IS NULL OR next_month > {end})"
            f" THEN 1 ELSE 0 END AS i{k}"
        )
        bounds += [day if postgres else day.isoformat()] * 2
        runs.append(f"SUM(i{k}) OVER ranked AS r{k}, SUM(i{k}) OVER (PARTITION BY _key) AS n{k}")
        middle = f"i{k} = 1 AND r{k} IN ((n{k} + 1) / 2, (n{k} + 2) / 2)"
        stats.append(
            f"SUM(i{k}), AVG(CASE WHEN i{k} = 1 THEN x END), AVG(CASE WHEN {middle} THEN x END),"
            f" MIN(CASE WHEN i{k} = 1 THEN x END), MAX(CASE WHEN i{k} = 1 THEN x END)"
        )
    each = ", ".join(f"i{k}" for k in range(len(ends)))
    query = (
        f"WITH v AS MATERIALIZED ({sql}),"
        f" f AS (SELECT _key, x, {', '.join(flags)} FROM v WHERE x IS NOT NULL),"
        f" r AS (SELECT _key, x, {each}, {', '.join(runs)} FROM f"
        " WINDOW ranked AS (PARTITION BY _key ORDER BY x ROWS UNBOUNDED PRECEDING))"
        f" SELECT _key, {', '.join(stats)} FROM r GROUP BY _key"
    )
    found: list[dict[str, Any]] = [{} for _ in ends]
    with connection.cursor() as cursor:
        cursor.execute(query, (*params, *bounds))
        # Looping over the few result groups only shapes the dicts.
        for row in cursor.fetchall():
            for k in range(len(ends)):
                part = row[1 + 5 * k : 6 + 5 * k]
                if part[0]:
                    found[k][key_of(row[0])] = dict(
                        zip(("n", "mean", "median", "min", "max"), part, strict=True)
                    )
    if ctx.by is None:
        return [groups.get("", nothing) for groups in found]
    return [{key: groups[key] for key in sorted(groups)} for groups in found]


def _measured(ctx: Context, values: str, params: Any, count: int, db: str = "default") -> list[Any]:
    """`distribution` of each window k of `values` (SQL giving k, _key and x): one query."""
    nothing = {"n": 0} if ctx.by is None else {}
    if not values:
        return [nothing for _ in range(count)]
    if connections[db].vendor == "postgresql":
        median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY x)"
        source = f"({values}) t"
    else:
        median = "AVG(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN x END)"
        source = (
            "(SELECT k, _key, x, ROW_NUMBER() OVER (PARTITION BY k, _key ORDER BY x) AS rn,"
            f" COUNT(*) OVER (PARTITION BY k, _key) AS n FROM ({values}) s) t"
        )
    query = (
        f"SELECT k, _key, COUNT(*), AVG(x), {median}, MIN(x), MAX(x) FROM {source} GROUP BY k, _key"
    )
    found: list[dict[str, Any]] = [{} for _ in range(count)]
    with connections[db].cursor() as cursor:
        cursor.execute(query, params)
        # Looping over the few result groups only shapes the dicts.
        for row in cursor.fetchall():
            stats = dict(zip(("n", "mean", "median", "min", "max"), row[2:], strict=True))
            found[row[0]][key_of(row[1])] = stats
    if ctx.by is None:
        return [groups.get("", nothing) for groups in found]
    return [{key: groups[key] for key in sorted(groups)} for groups in found]


def group_key(ctx: Context, keys: Mapping[str, str]) -> Expression:
    """The `_key` column: the disaggregation's value, or one empty key for the total."""
    return F(keys[ctx.by]) if ctx.by else V("", output_field=CharField())


def statistic(ctx: Context, found: Any, which: str) -> Value:
    def shape(row: Mapping[str, Any]) -> Any:
        return _rounded(row.get(which)) if row.get("n") else None

    if ctx.by is None:
        return shape(found)
    return {key: shape(row) for key, row in found.items()}


def _rounded(value: Any) -> Any:
    """A JSON number, with SQLite's floating-point noise (1e-13) rounded off."""
    if value is None:
        return None
    return number(round(float(value), 9))


# --- KPIs --------------------------------------------------------------------------


class MonthsBefore(Func):
    """The date six months before a date, in SQL (KPI months are first days, so no
    month's end is cut short); no Python function called per row on SQLite."""

    output_field = DateField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"date(%(expressions)s, '-{MONTHS_APART} months')"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = f"CAST(%(expressions)s - INTERVAL '{MONTHS_APART} months' AS date)"
        return self.as_sql(compiler, connection, template=template, **extra)


def kpi_change_rows(ctx: Context) -> QuerySet:
    """One row per (enterprise, KPI) series whose first and latest observations up to
    the period's end are at least six months apart and whose first value is not
    zero (its latest derived KPI point), with `x`: the change from the first to the
    latest value in % of the first, signed so that a change in the KPI's better
    direction is positive. The rows disclosure control counts (populations.KPI_CHANGES)."""
    rows = kpi_change_candidates(ctx).filter(latest_at(ctx.filters.end))
    return rows.annotate(x=_change())


def _change() -> Expression:
    value = Cast("value", FloatField())
    first = Cast("first_value", FloatField())
    return Case(
        When(kpi__better=Kpi.Better.LOWER, then=(first - value) * V(100.0) / Abs(first)),
        default=(value - first) * V(100.0) / Abs(first),
        output_field=FloatField(),
    )


def latest_at(end: dt.date | None) -> Q:
    """The KPI points that are their series' latest up to `end` (None: of all time)."""
    if end is None:
        return Q(next_month__isnull=True)
    return (Q(next_month__isnull=True) | Q(next_month__gt=end)) & Q(month__lte=end)


def kpi_change_candidates(ctx: Context) -> QuerySet:
    """`kpi_change_rows` at any end: the KPI points at least six months after their
    series' first observation, of a series whose first value is not zero; those of
    one end are the ones `latest_at` it (populations.KPI_CHANGES counts the firms
    of several ends in one query)."""
    derived.refresh(OUTCOMES)
    rows = ctx.source(KpiPoint).filter(queries.enterprise_place(ctx, "enterprise"))
    # The series' first month is at least six months before its latest one when any
    # of its observations is: one seek in the observations' unique index.
    earlier = ctx.source(KpiObservation).filter(
        enterprise=OuterRef("enterprise"),
        kpi=OuterRef("kpi"),
        month__lte=MonthsBefore(OuterRef("month")),
    )
    return rows.filter(rank__gte=2).exclude(first_value=0).filter(Exists(earlier))


def kpi_changes(ctx: Context) -> QuerySet:
    rows = kpi_change_rows(ctx).annotate(_key=group_key(ctx, KPI_KEYS))
    return rows.values("_key", "x").order_by()


def kpi_change_series(ctx: Context) -> QuerySet:
    """`kpi_changes` at any end, with each point's `month` and `next_month`: the
    ends it is its series' latest at (`distributions` joins them)."""
    ends = [end or dt.date.max for _start, end in ctx.filters.windows]
    # The points latest at none of the ends left out: those after the last, and
    # those followed by another before the first.
    rows = kpi_change_candidates(ctx).filter(
        Q(next_month__isnull=True) | Q(next_month__gt=min(ends)), month__lte=max(ends)
    )
    rows = rows.annotate(x=_change(), _key=group_key(ctx, KPI_KEYS))
    return rows.values("_key", "x", "month", "next_month").order_by()


KPI_DEFINITION = f"""
Over the (enterprise, KPI) series whose first and latest observations up to the
period's end are at least {MONTHS_APART} months apart (a first value in January, the
latest in July or later; observations before the period's start count) and whose
first value is not zero: the change from the first to the latest value in % of the
first, (latest − first) / |first| × 100, its sign turned for a KPI whose better
direction is lower, so that an improvement is positive (a defect rate down from 10
to 7.5 is +25). One value per series; without by=kpi, over the series of every KPI
together. Null when no series qualifies. {WHICH_ENTERPRISES}
"""


def _kpi_statistic(which: str) -> None:
    word, phrase = STATISTICS[which]

    def compute(ctx: Context) -> Value:
        if ctx.filters.windows:  # a series: one query for every end (`distributions`)
            found = distributions(ctx, "kpi_change_series", kpi_change_series(ctx))
            return [statistic(ctx, one, which) for one in found]  # type: ignore[return-value]
        return statistic(ctx, distribution(ctx, "kpi_changes", kpi_changes(ctx)), which)

    compute.__module__ = __name__
    indicator(
        f"kpi_change_{which}_pct",
        name=f"Change of a KPI, firms reporting six months or more: {word} (%)",
        unit="percent",
        by=("kpi", "country"),
        places=ENTERPRISE_PLACES,
        protect=populations.KPI_CHANGES,
        single=which in SINGLE,
        periodic=True,
        definition=f"{phrase[0].upper()}{phrase[1:]} of the changes. {KPI_DEFINITION}"
        + (SINGLE_DEFINITION if which in SINGLE else ""),
    )(compute)


# --- cost savings ------------------------------------------------------------------


def saving_rows(ctx: Context) -> QuerySet:
    """The initiatives recording a saving: the rows disclosure control counts."""
    return queries.initiatives(ctx).filter(saving_usd__gt=0)


def savings(ctx: Context) -> QuerySet:
    """One row per enterprise recording a saving, with `x`: the sum of its
    initiatives' savings above zero (with a time filter, of those started in the
    period); and `_key`."""
    return (
        saving_rows(ctx)
        .values("enterprise", _key=group_key(ctx, SAVING_KEYS))
        .annotate(x=Cast(Sum("saving_usd"), FloatField()))
        .order_by()
    )


SAVING_DEFINITION = f"""
Over the enterprises recording a saving (those `smes_cost_savings_pct` counts as
saving): per enterprise, the sum of its initiatives' savings above zero
(saving_usd > 0), in US$. With a time filter, only initiatives started in the
period count. Null when no enterprise records a saving. {WHICH_ENTERPRISES}
"""


def saving_series(ctx: Context) -> list[Any]:
    """`distribution` of `savings` for each window of a series, in one query: the
    initiatives recording a saving read once (MATERIALIZED), each joined to the
    windows its start falls in, summed per window and enterprise, and measured per
    window as `distribution` measures one period's."""
    return ctx.shared("saving_series", lambda: _saving_series(ctx))


def _saving_series(ctx: Context) -> list[Any]:
    windows = ctx.filters.windows
    rows = (
        saving_rows(ctx)
        .annotate(_u=F("enterprise"), _day=F(WHEN), _key=group_key(ctx, SAVING_KEYS))
        .values("_u", "_day", "_key", "saving_usd")
        .order_by()
    )
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a scope that can see no row
        return _measured(ctx, "", (), len(windows))
    connection = connections[rows.db]
    table, bounds = window_table(connection, windows)
    # As Cast(FloatField) gives it, one period asked alone.
    real = "double precision" if connection.vendor == "postgresql" else "REAL"
    parts, more = [], []
    for clause, extra in pairs(connection, windows):
        parts.append(
            f"SELECT w.k, v._key, CAST(SUM(v.saving_usd) AS {real}) AS x"
            f" FROM {clause} GROUP BY w.k, v._key, v._u"
        )
        more += extra
    values = f"WITH v AS MATERIALIZED ({sql}), w AS ({table}) {' UNION ALL '.join(parts)}"
    return _measured(ctx, values, (*params, *bounds, *more), len(windows), rows.db)


def _saving_statistic(which: str) -> None:
    word, phrase = STATISTICS[which]

    def compute(ctx: Context) -> Value:
        if ctx.filters.windows:  # a series: one query for every window (`saving_series`)
            return [statistic(ctx, one, which) for one in saving_series(ctx)]  # type: ignore[return-value]
        return statistic(ctx, distribution(ctx, "savings", savings(ctx)), which)

    compute.__module__ = __name__
    indicator(
        f"cost_savings_{which}_usd",
        name=f"Cost savings per enterprise recording savings: {word} (USD)",
        unit="usd",
        by=("country",),
        places=ENTERPRISE_PLACES,
        protect=populations.SAVINGS,
        single=which in SINGLE,
        periodic=True,
        definition=f"{phrase[0].upper()}{phrase[1:]} of the savings. {SAVING_DEFINITION}"
        + (SINGLE_DEFINITION if which in SINGLE else ""),
    )(compute)


for _which in STATISTICS:
    _kpi_statistic(_which)
for _which in STATISTICS:
    _saving_statistic(_which)
