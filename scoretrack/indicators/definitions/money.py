"""Money: direct training costs, contributions and cost recovery (table 2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Sum
from django.db.models import Value as V
from django.db.models.functions import Coalesce

from scoretrack.indicators import queries
from scoretrack.indicators.registry import (
    Context,
    Value,
    indicator,
    measure,
    merge,
    number,
    share,
    year_of,
)

MONEY_KEYS = {
    "country": "country__code",
    "year": year_of("date"),
    "source": "source",
    "kind": "kind",
}
USD = {"usd": Coalesce(Sum("usd"), V(Decimal(0)), output_field=DecimalField())}


def usd(row: dict) -> int | float | None:
    return number(row["usd"])


@indicator(
    "direct_costs_usd",
    name="Direct training costs (USD)",
    unit="usd",
    periodic=True,
    by=("country", "year"),
    places=("partner",),
    definition="""
    Sum of the USD value of the direct training costs dated in the period. The
    partner filter keeps costs of deliveries that partner organised.
    """,
)
def direct_costs_usd(ctx: Context) -> Value:
    return measure(ctx, queries.costs(ctx), MONEY_KEYS, USD, usd)


@indicator(
    "contributions_usd",
    name="Contributions (USD)",
    unit="usd",
    periodic=True,
    by=("source", "kind", "country", "year"),
    places=("partner", "lead_buyer"),
    definition="""
    Sum of the USD value of the contributions (cash and in kind, every source)
    dated in the period. The partner filter keeps contributions to deliveries that
    partner organised; the lead-buyer filter keeps that lead buyer's contributions.
    """,
)
def contributions_usd(ctx: Context) -> Value:
    return measure(ctx, queries.contributions(ctx), MONEY_KEYS, USD, usd)


@indicator(
    "cost_recovery_pct",
    name="Cost recovery (%)",
    unit="percent",
    periodic=True,
    by=("country", "year"),
    places=("partner",),
    definition="""
    100 times contributions_usd / direct_costs_usd for the same filters. Null where
    there are no direct costs; can exceed 100.
    """,
)
def cost_recovery_pct(ctx: Context) -> Value:
    paid = measure(ctx, queries.contributions(ctx), MONEY_KEYS, USD, lambda r: r["usd"])
    spent = measure(ctx, queries.costs(ctx), MONEY_KEYS, USD, lambda r: r["usd"])
    if isinstance(paid, list) and isinstance(spent, list):  # a series: per period
        return [recovery(p, s) for p, s in zip(paid, spent, strict=True)]
    return recovery(paid, spent)


def recovery(paid: Any, spent: Any) -> Value:
    if not isinstance(paid, dict) or not isinstance(spent, dict):
        return share(paid, spent)
    return {key: share(paid.get(key, 0), spent.get(key)) for key in merge(paid, spent)}
