"""The data-quality rules, each declared once (like the indicators): its code, name,
definition in words and a `find` function asking the database what breaks it.

A rule gives `Found` items: the record at fault, the country and date that place
it in a reporting period, a message (an English template, translated when shown,
and its values) and the page where it is fixed. `quality/runs.py` keeps them as
`RuleViolation` rows, open while found, cleared when a run finds them no more.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop

from scoretrack.outcomes.kpi_forms import QUARTER_MONTHS, month_index, month_of, outlier
from scoretrack.outcomes.models import KpiObservation, KpiSelection
from scoretrack.training.models import Delivery, Enrolment, Participant


@dataclass(frozen=True)
class Found:
    record_model: str
    record_id: Any
    country_id: Any
    date: dt.date
    message: str  # an English template marked with gettext_noop, %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)
    page: str = ""  # the URL name of the page where it is fixed
    page_id: Any = None
    key: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: Any
    definition: Any
    find: Callable[[Any], Iterable[Found]]  # (country id or None) -> what breaks it


RULES: dict[str, Rule] = {}


def rule(code: str, *, name: Any, definition: Any) -> Callable[[Callable], Callable]:
    def register(find: Callable[[Any], Iterable[Found]]) -> Callable:
        if code in RULES:
            raise ValueError(f"quality rule {code} is defined twice")
        RULES[code] = Rule(code, name, definition, find)
        return find

    return register


def _in(queryset: QuerySet, path: str, country_id: Any) -> QuerySet:
    return queryset if country_id is None else queryset.filter(**{path: country_id})


# --- the rules ----------------------------------------------------------------------


@rule(
    "kpi_outlier",
    name=gettext_lazy("KPI value far outside the firm's range"),
    definition=gettext_lazy(
        "A KPI value far outside the same firm's earlier values of that KPI, by the "
        "rule of the KPI grid: with four or more earlier values, below Q1 − 3 × IQR or "
        "above Q3 + 3 × IQR; with one to three, more than 10 times or less than a tenth "
        "of their median."
    ),
)
def kpi_outlier(country_id: Any) -> Iterator[Found]:
    rows = (
        _in(KpiObservation.objects.all(), "enterprise__country_id", country_id)
        .order_by("enterprise_id", "kpi_id", "month")
        .values_list("pk", "enterprise_id", "kpi__code", "month", "value", "enterprise__country_id")
    )
    # The rule compares each value with the series before it: read in order, once.
    for _series, values in itertools.groupby(rows.iterator(), key=lambda r: (r[1], r[2])):
        earlier: list[Any] = []
        for pk, enterprise_id, kpi, month, value, country in values:
            if outlier(value, earlier):
                yield Found(
                    "outcomes.KpiObservation",
                    pk,
                    country,
                    month,
                    gettext_noop(
                        "%(kpi)s %(month)s: %(value)s is far outside the firm's earlier values"
                    ),
                    {"kpi": kpi, "month": f"{month:%Y-%m}", "value": f"{value.normalize():f}"},
                    "kpis:grid",
                    enterprise_id,
                )
            earlier.append(value)


@rule(
    "participants_above_workforce",
    name=gettext_lazy("More participants than workers"),
    definition=gettext_lazy(
        "A firm sent more participants to one delivery than its workforce (women and "
        "men together, when at least one of them is known)."
    ),
)
def participants_above_workforce(country_id: Any) -> Iterator[Found]:
    female, male = "enterprise__workforce_female", "enterprise__workforce_male"
    rows = (
        _in(Participant.objects.all(), "delivery__country_id", country_id)
        .filter(Q(**{f"{female}__isnull": False}) | Q(**{f"{male}__isnull": False}))
        # Grouped by everything it shows, so that PostgreSQL may compare in HAVING.
        .values(
            "delivery_id",
            "enterprise_id",
            female,
            male,
            "enterprise__name",
            "delivery__country_id",
            "delivery__start_date",
        )
        .annotate(n=Count("pk"))
        .filter(n__gt=Coalesce(F(female), 0) + Coalesce(F(male), 0))
        .order_by()
    )
    for row in rows:
        yield Found(
            "training.Delivery",
            row["delivery_id"],
            row["delivery__country_id"],
            row["delivery__start_date"],
            gettext_noop("%(firm)s: %(count)s participants, but a workforce of %(workforce)s"),
            {
                "firm": row["enterprise__name"],
                "count": row["n"],
                "workforce": (row[female] or 0) + (row[male] or 0),
            },
            "training:delivery-detail",
            row["delivery_id"],
            key=str(row["enterprise_id"]),
        )


@rule(
    "satisfaction_without_attendance",
    name=gettext_lazy("Satisfaction recorded with no attendance"),
    definition=gettext_lazy(
        "A participant rated a delivery that the firm did not attend: its enrolment "
        "in the delivery is dropped, or the delivery has not started yet."
    ),
)
def satisfaction_without_attendance(country_id: Any) -> Iterator[Found]:
    dropped = Enrolment.objects.filter(
        delivery_id=OuterRef("delivery_id"),
        enterprise_id=OuterRef("enterprise_id"),
        status=Enrolment.Status.DROPPED,
    )
    rows = (
        _in(Participant.objects.all(), "delivery__country_id", country_id)
        .filter(satisfaction__isnull=False)
        .filter(Q(Exists(dropped)) | Q(delivery__start_date__gt=timezone.localdate()))
        .values_list(
            "pk", "delivery_id", "delivery__country_id", "delivery__start_date", "enterprise__name"
        )
    )
    for pk, delivery_id, country, start, firm in rows.iterator():
        yield Found(
            "training.Participant",
            pk,
            country,
            start,
            gettext_noop("%(firm)s: a satisfaction rating, but the firm did not attend"),
            {"firm": firm},
            "training:delivery-detail",
            delivery_id,
        )


@rule(
    "kpi_missing_months",
    name=gettext_lazy("Missing KPI months"),
    definition=gettext_lazy(
        "Months a firm owes a value of a KPI it selected (every month for a monthly "
        "KPI, quarter ends for a quarterly one, from the month it was selected in to "
        "the last month that is over) with no value: one violation per quarter."
    ),
)
def kpi_missing_months(country_id: Any) -> Iterator[Found]:
    today = timezone.localdate()
    selections = (
        _in(KpiSelection.objects.all(), "enterprise__country_id", country_id)
        .order_by("enterprise_id", "kpi_id")
        .values_list(
            "pk",
            "enterprise_id",
            "kpi_id",
            "kpi__code",
            "selected_on",
            "frequency",
            "enterprise__country_id",
        )
    )
    observed = (
        _in(KpiObservation.objects.all(), "enterprise__country_id", country_id)
        .order_by("enterprise_id", "kpi_id")
        .values_list("enterprise_id", "kpi_id", "month")
    )
    months: dict[tuple[Any, Any], set[int]] = {}
    for enterprise_id, kpi_id, month in observed.iterator():
        months.setdefault((enterprise_id, kpi_id), set()).add(month_index(month))
    for pk, enterprise_id, kpi_id, kpi, selected_on, frequency, country in selections.iterator():
        have = months.get((enterprise_id, kpi_id), set())
        monthly = frequency == KpiSelection.Frequency.MONTHLY
        missing = [
            month_of(index)
            for index in range(month_index(selected_on), month_index(today))
            if index not in have and (monthly or month_of(index).month in QUARTER_MONTHS)
        ]
        for quarter, group in itertools.groupby(
            missing, key=lambda m: (m.year, (m.month - 1) // 3)
        ):
            gone = list(group)
            yield Found(
                "outcomes.KpiSelection",
                pk,
                country,
                gone[0],
                gettext_noop("%(kpi)s: no value for %(months)s"),
                {"kpi": kpi, "months": ", ".join(f"{m:%Y-%m}" for m in gone)},
                "kpis:grid",
                enterprise_id,
                key=f"{quarter[0]}Q{quarter[1] + 1}",
            )


@rule(
    "delivery_without_participants",
    name=gettext_lazy("Delivery with no participants"),
    definition=gettext_lazy("A delivery whose end date is past and that has no participant."),
)
def delivery_without_participants(country_id: Any) -> Iterator[Found]:
    rows = (
        _in(Delivery.objects.all(), "country_id", country_id)
        .filter(end_date__lt=timezone.localdate())
        .exclude(Exists(Participant.objects.filter(delivery_id=OuterRef("pk"))))
        .values_list("pk", "country_id", "start_date", "key", "end_date")
    )
    for pk, country, start, key, end in rows.iterator():
        yield Found(
            "training.Delivery",
            pk,
            country,
            start,
            gettext_noop("Delivery %(key)s ended on %(end)s with no participant"),
            {"key": key, "end": end.isoformat()},
            "training:delivery-detail",
            pk,
        )
