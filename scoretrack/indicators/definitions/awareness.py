"""Awareness (objective 3): constituents trained and NTAC meetings."""

from __future__ import annotations

import dataclasses

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from scoretrack.events.models import Event
from scoretrack.indicators import queries
from scoretrack.indicators.registry import Context, Value, indicator, measure, share

TRAINING_KINDS = [
    Event.Kind.CONSTITUENT_TRAINING,
    Event.Kind.WORKSHOP,
    Event.Kind.POLICY_COURSE,
]
PEOPLE = {"female": Coalesce(Sum("female"), 0), "male": Coalesce(Sum("male"), 0)}
PARTICIPATION_KEYS = {"group": "group", "country": "event__country__code"}


@indicator(
    "constituents_trained",
    name="Constituents trained",
    unit="count",
    periodic=True,
    by=("group", "sex", "country"),
    definition="""
    Participants (women + men, as counted per constituent group) of constituent
    training, workshop and policy course events dated in the period. NTAC meetings
    and conferences do not count. By sex, the keys are female and male.
    """,
)
def constituents_trained(ctx: Context) -> Value:
    rows = queries.event_participations(ctx, TRAINING_KINDS)
    if ctx.by == "sex":
        # Not a grouping: both sexes' sums of the same rows (per period in a series).
        whole = dataclasses.replace(ctx, filters=dataclasses.replace(ctx.filters, by=None))
        return measure(
            whole, rows, {}, PEOPLE, lambda r: {"female": r["female"], "male": r["male"]}
        )
    return measure(ctx, rows, PARTICIPATION_KEYS, PEOPLE, lambda r: r["female"] + r["male"])


@indicator(
    "constituents_trained_women_pct",
    name="Women among constituents trained (%)",
    unit="percent",
    periodic=True,
    by=("group", "country"),
    definition="""
    Share of women in constituents_trained: women / (women + men).
    """,
)
def constituents_trained_women_pct(ctx: Context) -> Value:
    rows = queries.event_participations(ctx, TRAINING_KINDS)
    return measure(
        ctx,
        rows,
        PARTICIPATION_KEYS,
        PEOPLE,
        lambda r: share(r["female"], r["female"] + r["male"]),
    )


@indicator(
    "ntac_meetings",
    name="NTAC meetings",
    unit="count",
    periodic=True,
    by=("country",),
    definition="""
    Events of kind ntac_meeting (national tripartite advisory committee) dated in
    the period.
    """,
)
def ntac_meetings(ctx: Context) -> Value:
    rows = queries.events(ctx, Event.Kind.NTAC_MEETING)
    return measure(ctx, rows, {"country": "country__code"}, {"n": Count("pk")}, lambda r: r["n"])
