"""Reach: the SMEs, staff and deliveries of classroom training."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models import Value as V
from django.db.models.functions import Coalesce

from scoretrack.enterprises.models import Enterprise
from scoretrack.indicators import populations, queries, tallies
from scoretrack.indicators.registry import (
    Context,
    Value,
    indicator,
    key_of,
    measure,
    number,
    share,
)
from scoretrack.indicators.series import WHEN, pairs, units_by_end, window_table
from scoretrack.lib.models import Sex
from scoretrack.training.models import Attendance, Delivery, Participant

ALL_PLACES = ("partner", "sector", "lead_buyer")
PARTICIPATION_KEYS = populations.PARTICIPATION_KEYS
ATTENDANCE_KEYS = populations.ATTENDANCE_KEYS
SMES = Count("enterprise", distinct=True)
WHERE_TRAINED = """
An SME is trained in a period when a participant of it attended a delivery
starting in the period; filters: country and partner of the delivery, sector
and lead buyers of the enterprise.
"""


def smes_with(condition: Q) -> Count:
    return Count("enterprise", distinct=True, filter=condition)


@indicator(
    "smes_trained",
    name="SMEs trained",
    unit="count",
    periodic=True,
    by=("module", "country", "sector", "year"),
    places=ALL_PLACES,
    protect=populations.TRAINED_SMES,
    definition=f"""
    Distinct enterprises with a classroom participant in a delivery of the period.
    {WHERE_TRAINED} By module, an SME trained in two modules counts once in each;
    by year, once in each year it was trained.
    """,
)
def smes_trained(ctx: Context) -> Value:
    return measure(ctx, queries.attendances(ctx), ATTENDANCE_KEYS, {"n": SMES}, lambda r: r["n"])


def known_share(ctx: Context, field: str) -> Value:
    """Of the SMEs trained whose `field` is known, the share where it is true."""
    aggregates = {
        "known": smes_with(Q(**{f"enterprise__{field}__isnull": False})),
        "yes": smes_with(Q(**{f"enterprise__{field}": True})),
    }
    return measure(
        ctx,
        queries.attendances(ctx),
        ATTENDANCE_KEYS,
        aggregates,
        lambda r: share(r["yes"], r["known"]),
    )


@indicator(
    "smes_women_owned_pct",
    name="SMEs trained that are women-owned (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ALL_PLACES,
    protect=populations.KNOWN_OWNERSHIP,
    definition="""
    Of the SMEs trained (see smes_trained) whose ownership is recorded, the share
    that is women-owned. SMEs with no recorded value are left out of the denominator.
    """,
)
def smes_women_owned_pct(ctx: Context) -> Value:
    return known_share(ctx, "women_owned")


# A series' disaggregations of the figures about an SME's history (`units_by_end`).
SERIES_KEYS = {"country": "country__code"}


def first_day(ctx: Context, **condition: Any) -> Subquery:
    """The start of the SME's first attendance meeting `condition`, in any delivery the
    user may count (as `history`): in a series, a figure "by the period's end"
    holds for an SME from that day on."""
    rows = ctx.source(Attendance).filter(enterprise_id=OuterRef("enterprise_id"), **condition)
    return Subquery(rows.order_by("start_date").values("start_date")[:1])


def second_module_day(ctx: Context) -> Subquery:
    """The day the SME had attended two distinct modules (as `history`): the first
    start of a module other than that of its first attendance (whichever of a
    first day's modules that is, the day is the same)."""
    mine = ctx.source(Attendance).filter(enterprise_id=OuterRef("enterprise_id"))
    first = mine.order_by("start_date", "module_id").values("module_id")[:1]
    other = mine.exclude(module_id=Subquery(first))
    return Subquery(other.order_by("start_date").values("start_date")[:1])


def history(ctx: Context, trained: QuerySet) -> QuerySet:
    """The attendances up to the period's end, in any delivery the user may count
    (not narrowed by partner or country), of the SMEs `trained` in the period.

    Figures about an SME's whole history (modules, EIT) group these rows by
    enterprise once. Without a place filter nearly every SME with a history may be
    trained in the period, and the rows are not narrowed to them (the figure counts
    only trained SMEs anyway); with one, they are, so a country's figure reads its
    SMEs' rows only.
    """
    f = ctx.filters
    rows = ctx.source(Attendance).filter(f.up_to_end("start_date"))
    if f.country_id is not None or f.partner_ids or f.sector_id is not None or f.lead_buyer_ids:
        rows = rows.filter(enterprise_id__in=trained.values("enterprise_id"))
    return rows


@indicator(
    "smes_more_than_one_module_pct",
    name="SMEs trained in more than one module (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ALL_PLACES,
    protect=populations.TRAINED_SMES,
    definition="""
    Of the SMEs trained in the period (see smes_trained), the share that by the
    period's end had participants in two or more distinct modules. Modules taken
    in earlier periods, or with another partner, count; deliveries starting after
    the period's end do not.
    """,
)
def smes_more_than_one_module_pct(ctx: Context) -> Value:
    trained = queries.attendances(ctx)  # (brings the attendances and their tally up to date)
    if ctx.filters.windows:  # a series: when each SME had its second module (one query)
        trained = trained.annotate(_multi=second_module_day(ctx))
        counts = {"all": (), "multi": ("_multi",)}
        return units_by_end(  # type: ignore[return-value]
            ctx,
            trained,
            "enterprise_id",
            SERIES_KEYS,
            counts,
            lambda r: share(r["multi"], r["all"]),
        )
    tallied = tallies.module_rows(ctx.source, ctx.filters, ctx.by)
    if tallied is not None:
        summed = {"all": Coalesce(Sum("firms"), 0), "multi": Coalesce(Sum("multi"), 0)}
        keys = {"country": ATTENDANCE_KEYS["country"]}
        return measure(ctx, tallied, keys, summed, lambda r: share(r["multi"], r["all"]))
    multi = (
        history(ctx, trained)
        .values("enterprise_id")
        .annotate(modules=Count("module_id", distinct=True))
        .filter(modules__gte=2)
        .values("enterprise_id")
    )
    aggregates = {"all": SMES, "multi": smes_with(Q(enterprise_id__in=multi))}
    return measure(ctx, trained, ATTENDANCE_KEYS, aggregates, lambda r: share(r["multi"], r["all"]))


@indicator(
    "workforce_represented",
    name="Workforce of the SMEs trained",
    unit="count",
    periodic=True,
    by=("country", "sex"),
    places=ALL_PLACES,
    protect=populations.KNOWN_WORKFORCE,
    definition="""
    Sum of the workforce (women + men) of the SMEs trained (see smes_trained), each
    counted once. A missing count of women or men adds nothing. By sex, the keys are
    female and male; by country, the enterprise's country.
    """,
)
def workforce_represented(ctx: Context) -> Value:
    if ctx.filters.windows:  # a series: every window's firms in one query
        return _workforce_series(ctx)  # type: ignore[return-value]
    trained = queries.attendances(ctx).values("enterprise_id")
    firms = ctx.source(Enterprise).filter(pk__in=trained)
    sums = {
        "female": Coalesce(Sum("workforce_female"), 0),
        "male": Coalesce(Sum("workforce_male"), 0),
    }
    if ctx.by == "sex":
        totals = firms.aggregate(**sums)
        return {"female": totals["female"], "male": totals["male"]}
    return measure(
        ctx, firms, {"country": "country__code"}, sums, lambda r: r["female"] + r["male"]
    )


def _workforce_series(ctx: Context) -> list[Value]:
    """`workforce_represented` for each window of a series, in one query: the
    attendances of the span read once (MATERIALIZED), each firm taken once per
    window it was trained in, its workforce summed per window (and group)."""
    windows = ctx.filters.windows
    trained = queries.attendances(ctx).annotate(_day=F(WHEN)).values("enterprise_id", "_day")
    key = F("country__code") if ctx.by == "country" else V("", output_field=CharField())
    firms = ctx.source(Enterprise).annotate(_id=F("pk"), _key=key)
    firms = firms.values("_id", "_key", "workforce_female", "workforce_male").order_by()
    found: list[dict[str, tuple[int, int]]] = [{} for _ in windows]
    try:
        attended, params = trained.order_by().query.sql_with_params()
        known, more = firms.query.sql_with_params()
    except EmptyResultSet:  # a scope that can see no row
        attended = ""
    if attended:
        connection = connections[trained.db]
        table, bounds = window_table(connection, windows)
        parts, extra = [], []
        for clause, given in pairs(connection, windows):
            parts.append(f"SELECT DISTINCT w.k, v.enterprise_id FROM {clause}")
            extra += given
        query = (
            f"WITH v AS MATERIALIZED ({attended}), w AS ({table}), f AS ({known})"
            " SELECT t.k, f._key, COALESCE(SUM(f.workforce_female), 0),"
            " COALESCE(SUM(f.workforce_male), 0)"
            f" FROM ({' UNION ALL '.join(parts)}) t"
            " JOIN f ON f._id = t.enterprise_id GROUP BY t.k, f._key"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, (*params, *bounds, *more, *extra))
            # Looping over the few result groups only shapes the figures.
            for k, group, female, male in cursor.fetchall():
                found[k][key_of(group)] = (female, male)
    if ctx.by == "sex":
        return [
            {"female": sum(f for f, _m in g.values()), "male": sum(m for _f, m in g.values())}
            for g in found
        ]
    if ctx.by is None:
        return [sum(f + m for f, m in g.values()) for g in found]
    return [{name: sum(g[name]) for name in sorted(g)} for g in found]


@indicator(
    "smes_unionised_pct",
    name="SMEs trained that are unionised (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ALL_PLACES,
    protect=populations.KNOWN_UNION,
    definition="""
    Of the SMEs trained (see smes_trained) with a recorded value, the share whose
    workers are unionised.
    """,
)
def smes_unionised_pct(ctx: Context) -> Value:
    return known_share(ctx, "unionised")


@indicator(
    "smes_collective_agreement_pct",
    name="SMEs trained covered by a collective agreement (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ALL_PLACES,
    protect=populations.KNOWN_AGREEMENT,
    definition="""
    Of the SMEs trained (see smes_trained) with a recorded value, the share covered
    by a collective agreement.
    """,
)
def smes_collective_agreement_pct(ctx: Context) -> Value:
    return known_share(ctx, "collective_agreement")


@indicator(
    "staff_trained",
    name="Staff trained",
    unit="count",
    periodic=True,
    by=("sex", "role", "module", "country"),
    places=ALL_PLACES,
    protect=populations.STAFF,
    definition="""
    Classroom participations in deliveries starting in the period: a person who
    attended two modules counts twice. By sex, undisclosed is a key of its own.
    """,
)
def staff_trained(ctx: Context) -> Value:
    return measure(
        ctx,
        queries.participations(ctx),
        PARTICIPATION_KEYS,
        {"n": Count("pk")},
        lambda r: r["n"],
    )


@indicator(
    "staff_trained_women_pct",
    name="Women among staff trained (%)",
    unit="percent",
    periodic=True,
    by=("country", "role"),
    places=ALL_PLACES,
    protect=populations.KNOWN_SEX,
    definition="""
    Share of women in staff_trained, over participations whose sex is female or
    male (undisclosed is left out of numerator and denominator).
    """,
)
def staff_trained_women_pct(ctx: Context) -> Value:
    aggregates = {
        "women": Count("pk", filter=Q(sex=Sex.FEMALE)),
        "known": Count("pk", filter=Q(sex__in=[Sex.FEMALE, Sex.MALE])),
    }
    return measure(
        ctx,
        queries.participations(ctx),
        PARTICIPATION_KEYS,
        aggregates,
        lambda r: share(r["women"], r["known"]),
    )


@indicator(
    "staff_trained_workers_pct",
    name="Workers among staff trained (%)",
    unit="percent",
    periodic=True,
    by=("country", "sex"),
    places=ALL_PLACES,
    protect=populations.STAFF,
    definition="""
    Share of workers (against managers) in staff_trained. Every participation has a
    role, so the denominator is all of staff_trained.
    """,
)
def staff_trained_workers_pct(ctx: Context) -> Value:
    aggregates = {
        "workers": Count("pk", filter=Q(role=Participant.Role.WORKER)),
        "all": Count("pk"),
    }
    return measure(
        ctx,
        queries.participations(ctx),
        PARTICIPATION_KEYS,
        aggregates,
        lambda r: share(r["workers"], r["all"]),
    )


@indicator(
    "satisfaction_good_pct",
    name="Participants rating the training good or very good (%)",
    unit="percent",
    periodic=True,
    by=("country", "module"),
    places=ALL_PLACES,
    protect=populations.RATED,
    definition="""
    Of the participations of staff_trained with a satisfaction rating, the share
    rating 4 (good) or 5 (very good). Unrated participations are left out.
    """,
)
def satisfaction_good_pct(ctx: Context) -> Value:
    aggregates = {
        "good": Count("pk", filter=Q(satisfaction__gte=4)),
        "rated": Count("pk", filter=Q(satisfaction__isnull=False)),
    }
    return measure(
        ctx,
        queries.participations(ctx),
        PARTICIPATION_KEYS,
        aggregates,
        lambda r: share(r["good"], r["rated"]),
    )


@indicator(
    "eit_mixed_pct",
    name="SMEs with women and men in the improvement team (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ALL_PLACES,
    protect=populations.WITH_EIT,
    definition="""
    Of the SMEs trained (see smes_trained) with EIT members recorded, the share
    whose EIT members include both a woman and a man. EIT members are the
    enterprise's participants flagged as members in any delivery starting up to
    the period's end.
    """,
)
def eit_mixed_pct(ctx: Context) -> Value:
    trained = queries.attendances(ctx)
    if ctx.filters.windows:  # a series: when each SME first had such EIT members (one query)
        trained = trained.annotate(
            _eit=first_day(ctx, eit=True),
            _women=first_day(ctx, eit=True, eit_female=True),
            _men=first_day(ctx, eit=True, eit_male=True),
        )
        counts = {"recorded": ("_eit",), "mixed": ("_women", "_men")}
        return units_by_end(  # type: ignore[return-value]
            ctx,
            trained,
            "enterprise_id",
            SERIES_KEYS,
            counts,
            lambda r: share(r["mixed"], r["recorded"]),
        )
    eit = history(ctx, trained).filter(eit=True)
    mixed = (
        eit.values("enterprise_id")
        .annotate(
            women=Count("pk", filter=Q(eit_female=True)),
            men=Count("pk", filter=Q(eit_male=True)),
        )
        .filter(women__gt=0, men__gt=0)
        .values("enterprise_id")
    )
    aggregates = {
        "recorded": smes_with(Q(enterprise_id__in=eit.values("enterprise_id"))),
        "mixed": smes_with(Q(enterprise_id__in=mixed)),
    }
    return measure(
        ctx, trained, ATTENDANCE_KEYS, aggregates, lambda r: share(r["mixed"], r["recorded"])
    )


DELIVERY_KEYS = {
    "module": "module__code",
    "country": "country__code",
    "independence": "independence",
}


@indicator(
    "deliveries",
    name="Deliveries",
    unit="count",
    periodic=True,
    by=("module", "country", "independence"),
    places=ALL_PLACES,
    protect=populations.TRAINED_SMES,
    definition="""
    Deliveries starting in the period, of the country and organised by the partner.
    With a sector or lead-buyer filter: deliveries with at least one participant
    from an enterprise of that sector or supplying that lead buyer.
    """,
)
def deliveries(ctx: Context) -> Value:
    return measure(ctx, queries.deliveries(ctx), DELIVERY_KEYS, {"n": Count("pk")}, _n)


@indicator(
    "enrolments",
    name="Enrolments",
    unit="count",
    periodic=True,
    by=("status", "module", "country"),
    places=ALL_PLACES,
    protect=populations.ENROLMENTS,
    definition="""
    Enterprises' enrolments in deliveries starting in the period, one per
    enterprise and delivery, whatever their status (enrolled, classroom done,
    consulting done, completed, dropped): what a partner has sold.
    """,
)
def enrolments(ctx: Context) -> Value:
    return measure(ctx, queries.enrolments(ctx), populations.ENROLMENT_KEYS, {"n": Count("pk")}, _n)


@indicator(
    "deliveries_independent_pct",
    name="Deliveries with medium or high independence (%)",
    unit="percent",
    periodic=True,
    by=("country",),
    places=ALL_PLACES,
    protect=populations.TRAINED_SMES,
    definition="""
    Share of deliveries (see deliveries) delivered by the partner with support
    (supported) or by the partner alone (independent).
    """,
)
def deliveries_independent_pct(ctx: Context) -> Value:
    independent = [Delivery.Independence.SUPPORTED, Delivery.Independence.INDEPENDENT]
    aggregates = {
        "independent": Count("pk", filter=Q(independence__in=independent)),
        "all": Count("pk"),
    }
    return measure(
        ctx,
        queries.deliveries(ctx),
        DELIVERY_KEYS,
        aggregates,
        lambda r: share(r["independent"], r["all"]),
    )


def _n(row: Any) -> Any:
    return number(row["n"])
