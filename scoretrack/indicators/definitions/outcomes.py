"""Outcomes: practices adopted, KPIs improved, jobs created, improvement plans."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from scoretrack.indicators import populations, queries
from scoretrack.indicators.registry import (
    Context,
    Value,
    indicator,
    measure,
    number,
    share,
)
from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.outcomes.models import Kpi, KpiPoint, PracticeStep

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
    return ctx.shared(
        "practice_counts",
        lambda: measure(ctx, practice_pairs(ctx), PRACTICE_KEYS, aggregates, counts_of),
    )


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
    series = series_ends(ctx).filter(rank__gte=6)
    better = Q(kpi__better=Kpi.Better.HIGHER, value__gt=F("first_value")) | Q(
        kpi__better=Kpi.Better.LOWER, value__lt=F("first_value")
    )
    aggregates = {"improved": Count("pk", filter=better), "all": Count("pk")}
    # By the joined code, not Labelled("kpi_id"): grouping by the id, SQLite walks
    # the whole kpipoint_kpi_month index in KPI order instead of the latest rows.
    keys = {"kpi": "kpi__code", "country": ENTERPRISE_COUNTRY}
    return measure(ctx, series, keys, aggregates, lambda r: share(r["improved"], r["all"]))


@indicator(
    "jobs_created",
    name="Jobs created",
    unit="count",
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
    aggregates = {
        "jobs": Coalesce(Sum("value", filter=last), Decimal(0), output_field=money)
        - Coalesce(Sum("value", filter=first), Decimal(0), output_field=money)
    }
    keys = {"country": ENTERPRISE_COUNTRY}
    return measure(ctx, rows, keys, aggregates, lambda r: jobs(r["jobs"]))


def jobs(value: Any) -> int | float | None:
    # SQLite does decimal arithmetic in floating point: round off its noise.
    return number(Decimal(str(value)).quantize(Decimal("0.000001")))


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
