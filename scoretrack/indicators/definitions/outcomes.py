"""Outcomes: practices adopted, KPIs improved, jobs created, improvement plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models import (
    Value as V,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, Mod
from django.utils import timezone

from scoretrack.indicators import populations, queries, tallies
from scoretrack.indicators.registry import (
    Context,
    Labelled,
    Number,
    Value,
    indicator,
    key_of,
    measure,
    number,
    share,
)
from scoretrack.indicators.series import apart, bucket, latest_at_ends, windowed
from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiPoint, KpiSelection, PracticeStep
from scoretrack.reference.models import CountryProgramme

ENTERPRISE_PLACES = ("partner", "sector", "lead_buyer")
WHICH_ENTERPRISES = """
Place filters apply to the enterprise: its country and sector, the lead buyers it
supplies, and (partner) whether it had a participant in a delivery that partner
organised.
"""
JOBS_KPI = "employment"


# --- practices -------------------------------------------------------------------


def practice_pairs(ctx: Context) -> QuerySet:
    """One row per (enterprise, practice) with an earliest baseline answer (`before`)
    and a later progress answer in the period: the latest of those (`after`).

    Read from the derived practice steps (outcomes/derived.py): the latest step in
    the period is the one whose next step, if any, is after the period's end.
    """
    derived.refresh(OUTCOMES)
    f = ctx.filters
    latest = Q(next_date__isnull=True)
    if f.end is not None:
        latest |= Q(next_date__gt=f.end)
    return (
        ctx.source(PracticeStep)
        .filter(queries.enterprise_place(ctx, "enterprise"))
        .filter(f.in_period("date"), latest)
    )


ENTERPRISE_COUNTRY = populations.ENTERPRISE_COUNTRY
PRACTICE_KEYS = populations.PRACTICES.keys
PAIRS_DEFINITION = """
For each enterprise and practice: its earliest baseline answer, and the answer of
its latest progress assessment dated after that baseline and in the period (the
baseline itself may be earlier). Without by=practice, the share is pooled over
all (enterprise, practice) pairs.
"""


@indicator(
    "practice_in_place_before_pct",
    name="Practices in place before the training (%)",
    unit="percent",
    by=("practice", "country"),
    places=ENTERPRISE_PLACES,
    protect=populations.PRACTICES,
    definition=f"""
    Of the enterprises with a baseline and a later progress answer for the practice,
    the share with the practice in place at baseline. {PAIRS_DEFINITION}
    {WHICH_ENTERPRISES}
    """,
)
def practice_in_place_before_pct(ctx: Context) -> Value:
    return per_group(ctx, practice_counts(ctx), lambda r: share(r["had"], r["all"]))


@indicator(
    "practice_newly_implemented_pct",
    name="Practices newly implemented (%)",
    unit="percent",
    by=("practice", "country"),
    places=ENTERPRISE_PLACES,
    protect=populations.PRACTICES,
    definition=f"""
    Of the enterprises with a baseline and a later progress answer for the practice,
    the share without it at baseline and with it at the latest progress assessment.
    {PAIRS_DEFINITION} {WHICH_ENTERPRISES}
    """,
)
def practice_newly_implemented_pct(ctx: Context) -> Value:
    return per_group(ctx, practice_counts(ctx), lambda r: share(r["new"], r["all"]))


def practice_counts(ctx: Context) -> Any:
    """The pairs that had the practice before, that newly implemented it, and all,
    in total or per group: one query that both practice figures of a page read."""
    aggregates = {
        "had": Count("pk", filter=Q(before=True)),
        "new": Count("pk", filter=Q(before=False, after=True)),
        "all": Count("pk"),
    }

    def build() -> Any:
        pairs = practice_pairs(ctx)  # (brings the steps and their tally up to date)
        tallied = tallies.figure_rows(ctx.source, ctx.filters, ctx.by)
        if tallied is not None:
            return measure(ctx, tallied, TALLY_KEYS, TALLY_SUMS, counts_of)
        return measure(ctx, pairs, PRACTICE_KEYS, aggregates, counts_of)

    return ctx.shared("practice_counts", build)


# The same counts summed from the practice tally (indicators/tallies.py).
TALLY_KEYS = {
    "practice": PRACTICE_KEYS["practice"],
    "country": Labelled("country_id", CountryProgramme),
}
TALLY_SUMS = {
    "had": Coalesce(Sum("had"), 0),
    "new": Coalesce(Sum("gained"), 0),
    "all": Coalesce(Sum("pairs"), 0),
}


def counts_of(row: Any) -> Any:
    return {name: row[name] for name in ("had", "new", "all")}


def per_group(ctx: Context, counts: Any, shape: Callable[[Any], Value]) -> Value:
    """A figure from counts: of the total, or of each group (with a `by`)."""
    if ctx.by is None:
        return shape(counts)
    return {key: shape(row) for key, row in counts.items()}


# --- KPIs ------------------------------------------------------------------------


def series_ends(ctx: Context) -> QuerySet:
    """One row per (enterprise, KPI) observed up to the period's end: its latest
    observation then, with `rank` (months observed up to it) and `first_value`."""
    derived.refresh(OUTCOMES)
    f = ctx.filters
    rows = ctx.source(KpiPoint).filter(queries.enterprise_place(ctx, "enterprise"))
    if f.end is None:
        return rows.filter(next_month__isnull=True)
    return rows.filter(Q(next_month__isnull=True) | Q(next_month__gt=f.end), month__lte=f.end)


@indicator(
    "kpi_improved_pct",
    name="Enterprises improving a KPI (%)",
    unit="percent",
    periodic=True,
    by=("kpi", "country"),
    places=ENTERPRISE_PLACES,
    protect=populations.KPI_SERIES,
    definition=f"""
    Of the enterprises with observations of the KPI in at least six distinct months
    up to the period's end, the share whose latest value is better than their first,
    in the KPI's better direction (higher or lower); an unchanged value is not an
    improvement. Only the period's end matters: observations before its start count.
    Without by=kpi, the share is pooled over all (enterprise, KPI) pairs.
    {WHICH_ENTERPRISES}
    """,
)
def kpi_improved_pct(ctx: Context) -> Value:
    series = series_ends(ctx).filter(rank__gte=6)  # (brings the points and tallies up to date)
    if ctx.filters.windows:  # a series: the points latest at any of its ends, in one query
        return _kpi_improved_series(ctx)  # type: ignore[return-value]
    tallied = tallies.kpi_rows(ctx.source, ctx.filters)
    if tallied is not None:
        # One row per key (kept so by the refresh): a key without a long series
        # is no group, as on the points.
        aggregates = {"improved": Coalesce(Sum("improved"), 0), "all": Coalesce(Sum("series"), 0)}
        return measure(
            ctx,
            tallied.filter(series__gt=0),
            KPI_TALLY_KEYS,
            aggregates,
            lambda r: share(r["improved"], r["all"]),
        )
    better = Q(kpi__better=Kpi.Better.HIGHER, value__gt=F("first_value")) | Q(
        kpi__better=Kpi.Better.LOWER, value__lt=F("first_value")
    )
    aggregates = {"improved": Count("pk", filter=better), "all": Count("pk")}
    # By the joined code, not Labelled("kpi_id"): grouping by the id, SQLite walks
    # the whole kpipoint_kpi_month index in KPI order instead of the latest rows.
    keys = {"kpi": "kpi__code", "country": ENTERPRISE_COUNTRY}
    return measure(ctx, series, keys, aggregates, lambda r: share(r["improved"], r["all"]))


def _kpi_improved_series(ctx: Context) -> list[Value]:
    ends = [end or dt.date.max for _start, end in ctx.filters.windows]
    keys = {"kpi": "kpi__code", "country": "enterprise__country__code"}
    key = F(keys[ctx.by]) if ctx.by else V("", output_field=CharField())
    better = Case(
        When(kpi__better=Kpi.Better.HIGHER, value__gt=F("first_value"), then=V(1)),
        When(kpi__better=Kpi.Better.LOWER, value__lt=F("first_value"), then=V(1)),
        default=V(0),
        output_field=IntegerField(),
    )
    # The points latest at none of the ends left out: those after the last, and
    # those followed by another before the first.
    rows = (
        ctx.source(KpiPoint)
        .filter(queries.enterprise_place(ctx, "enterprise"), rank__gte=6, month__lte=max(ends))
        .filter(Q(next_month__isnull=True) | Q(next_month__gt=min(ends)))
        .annotate(_key=key, _better=better)
        .values("_key", "_better", "month", "next_month")
        .order_by()
    )
    counts = {"improved": "_better", "all": "1"}
    found = latest_at_ends(ctx, rows, counts)

    def shape(row: Mapping[str, Any]) -> Number:
        return share(row["improved"], row["all"])

    if ctx.by is None:
        return [shape(groups.get("", {"improved": 0, "all": 0})) for groups in found]
    return [{name: shape(groups[name]) for name in sorted(groups)} for groups in found]


# The KPI figures' keys on the KPI tally (indicators/tallies.py).
KPI_TALLY_KEYS = {"kpi": "kpi__code", "country": Labelled("country_id", CountryProgramme)}


@indicator(
    "jobs_created",
    name="Jobs created",
    unit="count",
    periodic=True,
    by=("country",),
    places=ENTERPRISE_PLACES,
    protect=populations.EMPLOYMENT,
    definition=f"""
    Net change of the '{JOBS_KPI}' KPI (latest month's value minus first month's value),
    summed over the enterprises with two or more observations of it in the period
    (both ends of the change are observations dated in the period). Can be negative.
    {WHICH_ENTERPRISES}
    """,
)
def jobs_created(ctx: Context) -> Value:
    """Over the enterprise's employment observations in the period: the last one
    (no next month up to the end) minus the first (no previous month from the
    start), both counted only when the other end is in the period too."""
    derived.refresh(OUTCOMES)
    f = ctx.filters
    rows = (
        ctx.source(KpiPoint)
        .filter(queries.enterprise_place(ctx, "enterprise"))
        .filter(f.in_period("month"), kpi__code=JOBS_KPI)
    )
    if f.windows:  # a series: every window's change in one query
        return _jobs_series(ctx, rows)  # type: ignore[return-value]
    last = (
        Q(next_month__isnull=True)
        if f.end is None
        else (Q(next_month__isnull=True) | Q(next_month__gt=f.end))
    )
    last &= Q(prev_month__isnull=False) if f.start is None else Q(prev_month__gte=f.start)
    first = (
        Q(prev_month__isnull=True)
        if f.start is None
        else (Q(prev_month__isnull=True) | Q(prev_month__lt=f.start))
    )
    first &= Q(next_month__isnull=False) if f.end is None else Q(next_month__lte=f.end)
    money = DecimalField(max_digits=20, decimal_places=6)
    tallied = tallies.kpi_rows(ctx.source, f)
    if tallied is not None:
        # Keys with points of the KPI in the period are the groups, as on the points.
        summed = {"jobs": Coalesce(Sum("gain"), Decimal(0), output_field=money)}
        kept = tallied.filter(kpi__code=JOBS_KPI, points__gt=0)
        return measure(ctx, kept, KPI_TALLY_KEYS, summed, lambda r: jobs(r["jobs"]))
    aggregates = {
        "jobs": Coalesce(Sum("value", filter=last), Decimal(0), output_field=money)
        - Coalesce(Sum("value", filter=first), Decimal(0), output_field=money)
    }
    keys = {"country": ENTERPRISE_COUNTRY}
    return measure(ctx, rows, keys, aggregates, lambda r: jobs(r["jobs"]))


def _jobs_series(ctx: Context, rows: QuerySet) -> list[Value]:
    """`jobs_created` for each window of a series: the employment points of the
    span read once, the window's last points minus its first summed per window
    (and group), by the conditions `jobs_created` asks one period by.

    The windows apart from each other (a baseline and the periods' own) in one
    pass over the points, no join: a point falls in one of them at most (its
    month's), and it is the last of its window when its next month is not in the
    window and its previous month is (the first likewise), so each point's
    window and its neighbours' say it. The others (overlapping them) joined to
    their windows (`windowed`; a bound a window lacks is the earliest or the
    latest day: no point is before or after it)."""
    windows = ctx.filters.windows
    key = F("enterprise__country__code") if ctx.by else V("", output_field=CharField())
    picked = rows.annotate(_day=F("month"), _key=key)
    picked = picked.values("_key", "_day", "value", "prev_month", "next_month").order_by()
    found: list[dict[str, Any]] = [{} for _ in windows]
    chosen = apart(windows)
    if chosen:
        try:
            sql, params = picked.query.sql_with_params()
        except EmptyResultSet:  # a scope that can see no row
            sql, params = "", ()
        if sql:
            connection = connections[picked.db]
            own, mine = bucket(connection, windows, chosen, "_day")
            before, earlier = bucket(connection, windows, chosen, "prev_month")
            after, later = bucket(connection, windows, chosen, "next_month")
            last = "(bn IS NULL OR bn <> b) AND bp = b"
            first = "(bp IS NULL OR bp <> b) AND bn = b"
            # Each point's windows worked out once (SQLite would otherwise put the
            # CASEs in every place they are named: a subquery with a LIMIT is not
            # merged into its query); only the points at an end of their window
            # grouped (a window's latest point is one: its group is still there).
            fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1"
            query = (
                f"SELECT b, _key, COALESCE(SUM(CASE WHEN {last} THEN value END), 0)"
                f" - COALESCE(SUM(CASE WHEN {first} THEN value END), 0) FROM"
                f" (SELECT _key, value, {own} AS b, {before} AS bp, {after} AS bn"
                f" FROM ({sql}) v {fence}) t"
                " WHERE b IS NOT NULL AND (bn IS NULL OR bn <> b OR bp IS NULL OR bp <> b)"
                " GROUP BY b, _key"
            )
            with connection.cursor() as cursor:
                cursor.execute(query, (*mine, *earlier, *later, *params))
                # Looping over the few result groups only shapes the figures.
                for k, group, value in cursor.fetchall():
                    found[k][key_of(group)] = jobs(value)
    rest = [k for k in range(len(windows)) if k not in chosen]
    if rest:
        last = "(v.next_month IS NULL OR v.next_month > w.e) AND v.prev_month >= w.s"
        first = "(v.prev_month IS NULL OR v.prev_month < w.s) AND v.next_month <= w.e"
        change = (
            f"COALESCE(SUM(CASE WHEN {last} THEN v.value END), 0)"
            f" - COALESCE(SUM(CASE WHEN {first} THEN v.value END), 0)"
        )
        others = tuple(windows[k] for k in rest)
        for k, groups in zip(
            rest, windowed(ctx, picked, {"jobs": change}, windows=others), strict=True
        ):
            found[k] = {name: jobs(row["jobs"]) for name, row in groups.items()}
    if ctx.by is None:
        return [groups.get("", 0) for groups in found]
    return [{name: groups[name] for name in sorted(groups)} for groups in found]


def jobs(value: Any) -> int | float | None:
    # SQLite does decimal arithmetic in floating point: round off its noise.
    return number(Decimal(str(value)).quantize(Decimal("0.000001")))


# --- KPI reporting ----------------------------------------------------------------------


def month_number(path: str) -> Expression:
    """A date's month as one integer (year × 12 + month − 1): consecutive months differ by 1."""
    return ExtractYear(path) * 12 + ExtractMonth(path) - 1


def _month_number(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def reporting_rows(ctx: Context) -> QuerySet:
    """One row per KPI selection owing at least one value in the period, with
    `months_owed` (the reporting months it owes) and `months_reported` (those with a
    value).

    Months are numbered (`month_number`); a selection reports every month (step 1,
    offset 0) or in quarter-end months (step 3, offset 2: March = 2 + 3 × 0 within a
    year, June, September, December). Of the months k in [first, last], those with
    k ≡ offset (mod step) number (last + step − offset) div step − (first + step − 1 −
    offset) div step: integer arithmetic the database does for every row at once.
    """
    f = ctx.filters
    last_over = _month_number(timezone.localdate()) - 1  # the current month is not over
    last = last_over if f.end is None else min(_month_number(f.end), last_over)
    first: Any = month_number("selected_on")
    if f.start is not None:
        first = Greatest(first, V(_month_number(f.start)))
    quarterly = Q(frequency=KpiSelection.Frequency.QUARTERLY)
    step = Case(When(quarterly, then=V(3)), default=V(1), output_field=IntegerField())
    offset = Case(When(quarterly, then=V(2)), default=V(0), output_field=IntegerField())
    observed = (
        ctx.source(KpiObservation)
        .filter(enterprise=OuterRef("enterprise"), kpi=OuterRef("kpi"))
        .annotate(k=month_number("month"))
        .filter(k__gte=OuterRef("first"), k__lte=last)
        .annotate(r=Mod(F("k"), OuterRef("step"), output_field=IntegerField()))
        .filter(r=OuterRef("offset"))
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        ctx.source(KpiSelection)
        .filter(queries.enterprise_place(ctx, "enterprise"))
        .annotate(first=first, step=step, offset=offset)
        .annotate(
            months_owed=Greatest(
                (V(last) + F("step") - F("offset")) / F("step")
                - (F("first") + F("step") - 1 - F("offset")) / F("step"),
                V(0),
                output_field=IntegerField(),
            ),
            months_reported=Coalesce(Subquery(observed), V(0), output_field=IntegerField()),
        )
    )
    return rows.filter(months_owed__gt=0)


@indicator(
    "kpi_reporting_pct",
    name="KPI reporting completeness (%)",
    unit="percent",
    by=("kpi", "country"),
    places=ENTERPRISE_PLACES,
    protect=populations.KPI_SELECTIONS,
    definition=f"""
    Of the KPI-months the enterprises are expected to report, the share with a value.
    A firm is expected to report each KPI it selected (its KPI selections): every
    month for a monthly KPI, in March, June, September and December for a quarterly
    one, from the month it was selected in to the period's end month, and never for
    the current month or later (a month is due once it is over). A value counts when
    it is observed for that KPI in one of those months (a value of a quarterly KPI
    in another month does not). Selections owing no month in the period count
    nowhere. Without by=kpi, the share is pooled over all selections.
    {WHICH_ENTERPRISES}
    """,
)
def kpi_reporting_pct(ctx: Context) -> Value:
    # Named apart from the rows' annotations, which an aggregate of the same name replaces.
    aggregates = {"reported": Sum("months_reported"), "owed": Sum("months_owed")}
    keys = {"kpi": "kpi__code", "country": ENTERPRISE_COUNTRY}
    return measure(
        ctx,
        reporting_rows(ctx),
        keys,
        aggregates,
        lambda r: share(r["reported"], r["owed"]),
    )


# --- improvement plans -------------------------------------------------------------

INITIATIVE_KEYS = {"country": ENTERPRISE_COUNTRY}
INITIATIVES_DEFINITION = """
With a time filter, only initiatives started in the period count (an initiative
with no start date then counts nowhere).
"""


@indicator(
    "smes_cost_savings_pct",
    name="SMEs recording cost savings (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ENTERPRISE_PLACES,
    protect=populations.INITIATIVES,
    definition=f"""
    Of the enterprises with an improvement initiative, the share with at least one
    initiative recording a saving above zero (saving_usd > 0). {INITIATIVES_DEFINITION}
    {WHICH_ENTERPRISES}
    """,
)
def smes_cost_savings_pct(ctx: Context) -> Value:
    aggregates = {
        "saving": Count("enterprise", distinct=True, filter=Q(saving_usd__gt=0)),
        "all": Count("enterprise", distinct=True),
    }
    return measure(
        ctx,
        queries.initiatives(ctx),
        INITIATIVE_KEYS,
        aggregates,
        lambda r: share(r["saving"], r["all"]),
    )


@indicator(
    "gender_initiatives_per_plan",
    name="Gender-related initiatives per improvement plan",
    unit="mean",
    periodic=True,
    by=("country",),
    places=ENTERPRISE_PLACES,
    protect=populations.INITIATIVES,
    definition=f"""
    Mean number of gender-related initiatives per enterprise that has initiatives
    (of any kind or status): gender-related initiatives / enterprises with
    initiatives. Null when no enterprise has initiatives. {INITIATIVES_DEFINITION}
    {WHICH_ENTERPRISES}
    """,
)
def gender_initiatives_per_plan(ctx: Context) -> Value:
    aggregates = {
        # Rows counted by their (never null) enterprise: the figure reads the index alone.
        "gender": Count("enterprise", filter=Q(gender_related=True)),
        "plans": Count("enterprise", distinct=True),
    }
    return measure(ctx, queries.initiatives(ctx), INITIATIVE_KEYS, aggregates, lambda r: mean(r))


def mean(row: dict) -> float | None:
    if not row["plans"]:
        return None
    return number(row["gender"] / row["plans"])  # type: ignore[return-value]
