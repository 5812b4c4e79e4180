"""Trainers and partners: milestones of trainers, active partners, sponsoring buyers."""

from __future__ import annotations

from django.db.models import CharField, Count, F, Q
from django.db.models import Value as V
from django.utils import timezone

from scoretrack.indicators import populations, queries
from scoretrack.indicators.registry import Context, Value, indicator, measure, share
from scoretrack.indicators.series import windowed
from scoretrack.lib.models import Sex
from scoretrack.reference.models import Organisation
from scoretrack.trainers.models import Milestone

TRAINER_KEYS = populations.TRAINER_KEYS
TRAINERS = Count("trainer", distinct=True)
WHOSE = """
A trainer falls in the country of its record; the partner filter keeps trainers
of that organisation.
"""


def trainers_with(ctx: Context, kind: str) -> Value:
    return measure(
        ctx, queries.milestones(ctx, kind), TRAINER_KEYS, {"n": TRAINERS}, lambda r: r["n"]
    )


def women_share(ctx: Context, kind: str) -> Value:
    aggregates = {
        "women": Count("trainer", distinct=True, filter=Q(trainer__sex=Sex.FEMALE)),
        "known": Count("trainer", distinct=True, filter=Q(trainer__sex__in=[Sex.FEMALE, Sex.MALE])),
    }
    return measure(
        ctx,
        queries.milestones(ctx, kind),
        TRAINER_KEYS,
        aggregates,
        lambda r: share(r["women"], r["known"]),
    )


@indicator(
    "trainers_trained",
    name="Trainers trained",
    unit="count",
    periodic=True,
    by=("sex", "country"),
    places=("partner",),
    protect=populations.TRAINERS_TRAINED,
    definition=f"""
    Distinct trainers with a 'trained' milestone (training of trainers) dated in the
    period; a trainer trained twice in the period counts once. {WHOSE}
    """,
)
def trainers_trained(ctx: Context) -> Value:
    return trainers_with(ctx, Milestone.Kind.TRAINED)


@indicator(
    "trainers_trained_women_pct",
    name="Women among trainers trained (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=("partner",),
    protect=populations.KNOWN_SEX_TRAINED,
    definition="""
    Share of women in trainers_trained, over trainers whose sex is female or male.
    """,
)
def trainers_trained_women_pct(ctx: Context) -> Value:
    return women_share(ctx, Milestone.Kind.TRAINED)


@indicator(
    "trainers_certified",
    name="Trainers certified",
    unit="count",
    periodic=True,
    by=("sex", "country"),
    places=("partner",),
    protect=populations.TRAINERS_CERTIFIED,
    definition=f"""
    Distinct trainers with a 'certified' milestone dated in the period. {WHOSE}
    """,
)
def trainers_certified(ctx: Context) -> Value:
    return trainers_with(ctx, Milestone.Kind.CERTIFIED)


@indicator(
    "trainers_certified_women_pct",
    name="Women among trainers certified (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=("partner",),
    protect=populations.KNOWN_SEX_CERTIFIED,
    definition="""
    Share of women in trainers_certified, over trainers whose sex is female or male.
    """,
)
def trainers_certified_women_pct(ctx: Context) -> Value:
    return women_share(ctx, Milestone.Kind.CERTIFIED)


@indicator(
    "trainers_expert",
    name="Expert / master trainers",
    unit="count",
    periodic=True,
    by=("sex", "country"),
    places=("partner",),
    protect=populations.TRAINERS_EXPERT,
    definition=f"""
    Distinct trainers with an 'expert' milestone dated in the period. {WHOSE}
    """,
)
def trainers_expert(ctx: Context) -> Value:
    return trainers_with(ctx, Milestone.Kind.EXPERT)


@indicator(
    "partners_active",
    name="Active partners",
    unit="count",
    periodic=True,
    by=("type", "country"),
    places=("partner",),
    definition="""
    Distinct organisations with an agreement signed on or before the period's end
    and not ended before the period's end: an agreement ending on the last day of
    the period counts, one ending the day before does not. So the figure is the
    partners active on the period's last day; with no period, or a period with no
    end, on today. By country, the agreement's country (an organisation with
    agreements in two countries counts in each, once in the total).
    """,
)
def partners_active(ctx: Context) -> Value:
    if ctx.filters.windows:  # a series: the agreements read once, paired with each end
        return _partners_series(ctx)  # type: ignore[return-value]
    end = ctx.filters.end or timezone.localdate()
    active = queries.agreements(ctx).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=end), signed_on__lte=end
    )
    keys = {"type": "organisation__type", "country": "country__code"}
    aggregates = {"n": Count("organisation", distinct=True)}
    return measure(ctx, active, keys, aggregates, lambda r: r["n"])


def _partners_series(ctx: Context) -> list[Value]:
    """`partners_active` at each window's end (none: today), in one query
    (`windowed`): each agreement paired with the ends it is in force on."""
    today = timezone.localdate()
    ends = tuple((None, end or today) for _start, end in ctx.filters.windows)
    keys = {"type": "organisation__type", "country": "country__code"}
    key = F(keys[ctx.by]) if ctx.by else V("", output_field=CharField())
    rows = queries.agreements(ctx).annotate(_key=key)
    rows = rows.values("_key", "organisation_id", "signed_on", "ended_on").order_by()
    in_force = "v.signed_on <= w.e AND (v.ended_on IS NULL OR v.ended_on >= w.e)"
    counted = {"n": "COUNT(DISTINCT v.organisation_id)"}
    found = windowed(ctx, rows, counted, join=in_force, windows=ends)
    if ctx.by is None:
        return [groups[""]["n"] if groups else 0 for groups in found]
    return [{name: groups[name]["n"] for name in sorted(groups)} for groups in found]


@indicator(
    "lead_buyers_sponsoring",
    name="Lead buyers sponsoring",
    unit="count",
    periodic=True,
    by=("country",),
    places=("lead_buyer",),
    definition="""
    Distinct organisations of type lead_buyer with a contribution (any source or
    kind) dated in the period, in the country of the contribution.
    """,
)
def lead_buyers_sponsoring(ctx: Context) -> Value:
    rows = queries.contributions(ctx).filter(organisation__type=Organisation.Type.LEAD_BUYER)
    aggregates = {"n": Count("organisation", distinct=True)}
    return measure(ctx, rows, {"country": "country__code"}, aggregates, lambda r: r["n"])
