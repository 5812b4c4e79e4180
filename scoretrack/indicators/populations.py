"""What each protected figure rests on: its rows and the firm or person of each row.

The indicator definitions name one of these (`@indicator(..., protect=...)`); the
keys here are the ones the definitions group their rows by, so that a group of a
breakdown and its disclosure decision are about the same rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from django.db.models import Q, QuerySet

from scoretrack.indicators import queries, tallies
from scoretrack.indicators.protection import Population, counted_together
from scoretrack.indicators.registry import Context, Labelled, year_of
from scoretrack.lib.models import Sex
from scoretrack.outcomes.models import Kpi, KpiPoint, Practice, PracticeStep
from scoretrack.reference.models import CountryProgramme, Module
from scoretrack.trainers.models import Milestone

PARTICIPATION_KEYS = {
    "module": Labelled("delivery__module_id", Module),
    "country": Labelled("delivery__country_id", CountryProgramme),
    "sector": "enterprise__sector__name",
    "year": year_of("delivery__start_date"),
    "sex": "sex",
    "role": "role",
}
# SME figures read the attendances (queries.attendances): the same filters and keys.
ATTENDANCE_KEYS = {
    "module": Labelled("module_id", Module),
    "country": Labelled("country_id", CountryProgramme),
    "sector": "enterprise__sector__name",
    "year": year_of("start_date"),
}
TRAINER_KEYS = {"sex": "trainer__sex", "country": "trainer__country__code"}
ENTERPRISE_COUNTRY = Labelled("enterprise__country_id", CountryProgramme)

# Figures about the SMEs trained in the period (and shares and sums over them).
TRAINED_SMES = Population(
    name="smes",
    who="enterprises",
    rows=queries.attendances,
    unit="enterprise_id",
    date="start_date",
    keys=ATTENDANCE_KEYS,
    places={
        "country": ATTENDANCE_KEYS["country"],
        "partner": "organiser__key",
        "sector": "enterprise__sector__name",
    },
    # Whole-programme counts from the attendance tally (tallies.py), for every
    # member of the family (counted_together below).
    tally=functools.partial(
        tallies.attendance_firms,
        columns={
            ("by", "module"): "module_id",
            ("by", "country"): "country_id",
            ("place", "country"): "country_id",
        },
    ),
)
# The workforce is grouped by the enterprise's own country (which the tally does not
# keep: by country, its rows are counted); its place is the delivery's country.
TRAINED_SMES_BY_HOME = dataclasses.replace(
    TRAINED_SMES.with_keys("smes-home", country="enterprise__country__code"),
    tally=functools.partial(
        tallies.attendance_firms,
        columns={("by", "module"): "module_id", ("place", "country"): "country_id"},
    ),
)

# Figures about the participations of staff trained: the same firms, periods and
# places as the SMEs trained (an attendance is an enterprise's participants in a
# delivery), so their counts are shared; by sex or role, the participations.
PARTICIPATIONS = Population(
    name="staff",
    who="enterprises",
    rows=queries.participations,
    unit="enterprise_id",
    date="delivery__start_date",
    keys=PARTICIPATION_KEYS,
    places={
        "country": PARTICIPATION_KEYS["country"],
        "partner": "delivery__organiser__key",
        "sector": "enterprise__sector__name",
    },
)
STAFF = dataclasses.replace(TRAINED_SMES, people=PARTICIPATIONS)

# Enrolments (an enterprise in a delivery, with participants or not yet): their firms.
ENROLMENT_KEYS = {
    "module": PARTICIPATION_KEYS["module"],
    "country": PARTICIPATION_KEYS["country"],
    "status": "status",
}
ENROLMENTS = Population(
    name="enrolments",
    who="enterprises",
    rows=queries.enrolments,
    unit="enterprise_id",
    date="delivery__start_date",
    keys=ENROLMENT_KEYS,
    places=PARTICIPATIONS.places,
)

# Shares rest on their denominators' firms only: those with the value known.
KNOWN_OWNERSHIP = TRAINED_SMES.only("smes-owner", Q(enterprise__women_owned__isnull=False))
KNOWN_UNION = TRAINED_SMES.only("smes-union", Q(enterprise__unionised__isnull=False))
KNOWN_AGREEMENT = TRAINED_SMES.only(
    "smes-agreement", Q(enterprise__collective_agreement__isnull=False)
)
KNOWN_WORKFORCE = TRAINED_SMES_BY_HOME.only(
    "smes-workforce",
    Q(enterprise__workforce_female__isnull=False) | Q(enterprise__workforce_male__isnull=False),
)
# SMEs with EIT members recorded in a delivery of the period (of those recorded up
# to the period's end, the denominator: never more firms than it).
WITH_EIT = TRAINED_SMES.only("smes-eit", Q(eit=True))
# The firms with a participant whose sex is recorded (or who rated the training)
# in a delivery: counted over their attendances, which carry both facts, and by
# role over those participations.
KNOWN_SEX = TRAINED_SMES.only(
    "staff-sex",
    Q(sex_known=True),
    people=PARTICIPATIONS.only("staff-sex-people", Q(sex__in=[Sex.FEMALE, Sex.MALE])),
)
RATED = TRAINED_SMES.only("staff-rated", Q(rated=True))
counted_together(
    TRAINED_SMES, KNOWN_OWNERSHIP, KNOWN_UNION, KNOWN_AGREEMENT, WITH_EIT, KNOWN_SEX, RATED
)
counted_together(TRAINED_SMES_BY_HOME, KNOWN_WORKFORCE)


def _trainers(kind: str) -> Population:
    return Population(
        name=f"trainers-{kind}",
        who="trainers",
        rows=lambda ctx: queries.milestones(ctx, kind),
        unit="trainer_id",
        date="date",
        keys=TRAINER_KEYS,
        places={"country": "trainer__country__code", "partner": "trainer__organisation__key"},
    )


TRAINERS_TRAINED = _trainers(Milestone.Kind.TRAINED)
TRAINERS_CERTIFIED = _trainers(Milestone.Kind.CERTIFIED)
TRAINERS_EXPERT = _trainers(Milestone.Kind.EXPERT)
KNOWN_SEX_TRAINED = TRAINERS_TRAINED.only(
    "trainers-trained-sex", Q(trainer__sex__in=[Sex.FEMALE, Sex.MALE])
)
KNOWN_SEX_CERTIFIED = TRAINERS_CERTIFIED.only(
    "trainers-certified-sex", Q(trainer__sex__in=[Sex.FEMALE, Sex.MALE])
)
counted_together(TRAINERS_TRAINED, KNOWN_SEX_TRAINED)
counted_together(TRAINERS_CERTIFIED, KNOWN_SEX_CERTIFIED)

ENTERPRISE_PLACES = {"country": ENTERPRISE_COUNTRY, "sector": "enterprise__sector__name"}


def _practice_steps(ctx: Context) -> QuerySet:
    f = ctx.filters
    rows = ctx.source(PracticeStep).filter(queries.enterprise_place(ctx, "enterprise"))
    return rows.filter(f.in_period("date"))


# Practice answers of the period's assessments.
PRACTICES = Population(
    name="practices",
    who="enterprises",
    rows=_practice_steps,
    unit="enterprise_id",
    date="date",
    keys={"practice": Labelled("practice_id", Practice), "country": ENTERPRISE_COUNTRY},
    places=ENTERPRISE_PLACES,
    # Whole-programme counts from the practice tally (tallies.py).
    tally=tallies.firms,
)


def _up_to_month(end: dt.date | None) -> Q:
    return Q() if end is None else Q(month__lte=end)


def _kpi_points(ctx: Context) -> QuerySet:
    rows = ctx.source(KpiPoint).filter(queries.enterprise_place(ctx, "enterprise"))
    return rows.filter(ctx.filters.up_to_end("month"))


# KPI observations up to the period's end (a KPI's change reads the whole series).
KPI_SERIES = Population(
    name="kpis",
    who="enterprises",
    rows=_kpi_points,
    unit="enterprise_id",
    date=None,
    keys={"kpi": Labelled("kpi_id", Kpi), "country": ENTERPRISE_COUNTRY},
    places=ENTERPRISE_PLACES,
    # A KPI's change counts for series observed in six months or more: those with a
    # sixth observation up to the period's end, one row per series (a partial
    # index holds them), whose firms are those of every observation from the sixth.
    where=Q(rank=6),
    # Rows up to the period's end: every end a page asks is counted in one query,
    # from the KPI series tally when it can say (tallies.series_firms).
    until=_up_to_month,
    until_tally=functools.partial(
        tallies.series_firms,
        measure="sixth",
        columns={
            ("by", "kpi"): "kpi_id",
            ("by", "country"): "country_id",
            ("place", "country"): "country_id",
        },
    ),
)


def _employment(ctx: Context) -> QuerySet:
    """Employment observations of the period that follow another of the period:
    the firms whose change the figure sums (two observations in the period). A
    country is the point's own (its enterprise's, as of the refresh): no join to
    the enterprises, and an index of the KPI's points per country."""
    from scoretrack.indicators.definitions.outcomes import JOBS_KPI
    from scoretrack.lib import derived
    from scoretrack.outcomes.derived import OUTCOMES

    derived.refresh(OUTCOMES)
    f = ctx.filters
    elsewhere = Context(source=ctx.source, filters=dataclasses.replace(f, country_id=None))
    rows = ctx.source(KpiPoint).filter(queries.enterprise_place(elsewhere, "enterprise"))
    if f.country_id is not None:
        rows = rows.filter(country_id=f.country_id)
    after = Q(prev_month__gte=f.start) if f.start is not None else Q(prev_month__isnull=False)
    return rows.filter(f.in_period("month"), after, kpi__code=JOBS_KPI)


POINT_COUNTRY = Labelled("country_id", CountryProgramme)

# The rows depend on the period's start: counted per cell (no partition into periods).
EMPLOYMENT = Population(
    name="employment",
    who="enterprises",
    rows=_employment,
    unit="enterprise_id",
    date=None,
    keys={"country": POINT_COUNTRY},
    places={**ENTERPRISE_PLACES, "country": POINT_COUNTRY},
)


def _kpi_selections(ctx: Context) -> QuerySet:
    """The KPI selections owing a value in the period (the reporting figure's rows)."""
    from scoretrack.indicators.definitions.outcomes import reporting_rows

    return reporting_rows(ctx)


# The rows depend on the period's start and on today: counted per cell.
KPI_SELECTIONS = Population(
    name="kpi-selections",
    who="enterprises",
    rows=_kpi_selections,
    unit="enterprise_id",
    date=None,
    keys={"kpi": "kpi__code", "country": ENTERPRISE_COUNTRY},
    places=ENTERPRISE_PLACES,
)

INITIATIVES = Population(
    name="initiatives",
    who="enterprises",
    rows=queries.initiatives,
    unit="enterprise_id",
    date="started_on",
    keys={"country": ENTERPRISE_COUNTRY},
    places=ENTERPRISE_PLACES,
)


# Sizes of change (definitions/changes.py): the KPI series compared, one row each.
KPI_CHANGE_KEYS = {"kpi": "kpi__code", "country": "enterprise__country__code"}


def _kpi_changes(ctx: Context) -> QuerySet:
    from scoretrack.indicators.definitions.changes import kpi_change_rows

    return kpi_change_rows(ctx)


def _kpi_change_candidates(ctx: Context) -> QuerySet:
    from scoretrack.indicators.definitions.changes import kpi_change_candidates

    return kpi_change_candidates(ctx)


def _kpi_latest_at(end: dt.date | None) -> Q:
    from scoretrack.indicators.definitions.changes import latest_at

    return latest_at(end)


# The rows depend on the period's end only (the latest point of each series up to
# it): the rows of every end a page asks are counted in one query.
KPI_CHANGES = Population(
    name="kpi-changes",
    who="enterprises",
    rows=_kpi_changes,
    unit="enterprise_id",
    date=None,
    keys=KPI_CHANGE_KEYS,
    places=ENTERPRISE_PLACES,
    until=_kpi_latest_at,
    until_rows=_kpi_change_candidates,
    # (a firm counts at an end from its first series compared: the tally's `changed`)
    until_tally=functools.partial(
        tallies.series_firms,
        measure="changed",
        columns={
            ("by", "kpi"): "kpi__code",
            ("by", "country"): "country__code",
            ("place", "country"): "country_id",
        },
    ),
)
# The firms recording a saving: their initiatives with a saving above zero.
SAVING_KEYS = {"country": "enterprise__country__code"}
SAVINGS = INITIATIVES.only("initiatives-saving", Q(saving_usd__gt=0))
# (one scan of the initiatives counts both: a page asks the same tables of each)
counted_together(INITIATIVES, SAVINGS)
