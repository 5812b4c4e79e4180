"""An approved period is locked: no record dated in it, in its country, is created,
changed, deleted or restored, whatever the path (Record.save and delete, the
importer, deletion sets: they ask `violations` through lib.hooks). The date and the
country of a record are its kind's `dated` declaration (lib/kinds.py).

The rule: a record belongs to a period when it tells what happened on one day in
one country, and is then dated by that day; what comes with a parent takes the
parent's day (a participant or an enrolment its delivery's start, an answer its
assessment's date, an event's participants the event's date). So a trainer's
milestone is dated by its own date in the trainer's country, and a firm's KPI
selection by the day it was chosen in the firm's country (its baseline and target
are what the firm stated then). The kinds below have no such day and are never
locked; each says why (a test holds that every kind is dated or listed here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils.translation import gettext as _

from scoretrack.lib.kinds import Dated, dated_of
from scoretrack.lib.models import Violation
from scoretrack.quality.models import Approval

UNDATED = {
    "reference.CountryProgramme": "HQ's catalogue, not a country's data of a period",
    "reference.Phase": "HQ's catalogue",
    "reference.Module": "HQ's catalogue",
    "reference.Target": "a plan for periods, not what happened in one",
    "reference.Region": "a country's catalogue",
    "reference.Cluster": "a country's catalogue",
    "reference.Organisation": "a partner lasts across periods",
    "reference.Agreement": (
        "a partnership spans periods: locked by its signature, its end could not be"
        " recorded once the quarter of the signature is approved"
    ),
    "results.ResultLevel": "the results chain is a plan, not data of a period",
    "enterprises.Enterprise": "a firm's facts (workforce, ownership) hold across periods",
    "enterprises.LeadBuyerLink": "a supply relation holds across periods",
    "trainers.Trainer": "a person, across periods (their milestones are dated)",
    "outcomes.Practice": "HQ's catalogue",
    "outcomes.Kpi": "HQ's catalogue",
    "finance.ExchangeRate": "HQ's rates, global",
}


def places(model: type[Model], records: Sequence[Any], dated: Dated) -> list[tuple[Any, Any]]:
    """(date, country id) of each record; what comes through a parent (a participant's
    delivery) is read in one query per parent, for the whole batch."""
    through: dict[str, list[str]] = {}  # parent FK -> the paths read through it
    for path in (dated.date, dated.country):
        if "__" in path:
            first, rest = path.split("__", 1)
            through.setdefault(first, []).append(rest)
    found: dict[str, tuple[str, dict[Any, tuple[Any, ...]]]] = {}
    for first, rests in through.items():
        field = model._meta.get_field(first)
        ids = {getattr(record, field.attname, None) for record in records} - {None}
        rows = field.related_model._base_manager.filter(pk__in=ids).values_list("pk", *rests)
        found[first] = (field.attname, {row[0]: row[1:] for row in rows})

    def reader(path: str) -> Any:
        """The record -> value of `path` (decided once per path, not per record)."""
        if "__" not in path:
            return lambda record: getattr(record, path, None)
        first, rest = path.split("__", 1)
        attname, rows = found[first]
        index = through[first].index(rest)

        def read(record: Any) -> Any:
            row = rows.get(getattr(record, attname, None))
            return None if row is None else row[index]

        return read

    day, country = reader(dated.date), reader(dated.country)
    return [(day(record), country(record)) for record in records]


def violations(model: type[Model], records: Sequence[Any]) -> Iterator[Violation]:
    """A violation for each record of the batch dated in a period approved for its country."""
    dated = dated_of(model)
    if dated is None or not records:
        return
    where = places(model, records, dated)
    days = [day for day, country in where if isinstance(day, dt.date) and country is not None]
    if not days:
        return
    approved = list(
        Approval._base_manager.filter(
            state=Approval.State.APPROVED,
            country_id__in={country for _day, country in where} - {None},
            start__lte=max(days),
            end__gte=min(days),
        )
        .select_related("country", "approved_by")
        .order_by("start")
    )
    if not approved:
        return
    field = dated.date if "__" not in dated.date else ""
    for position, (day, country) in enumerate(where):
        if not isinstance(day, dt.date):
            continue
        for approval in approved:
            if approval.country_id == country and approval.start <= day <= approval.end:
                yield Violation(position, field, reason(approval))
                break


def reason(approval: Approval) -> str:
    by = approval.approved_by
    return _("%(country)s %(period)s was approved on %(date)s by %(user)s; ask HQ to reopen it") % {
        "country": approval.country.name,
        "period": approval.period_label,
        "date": approval.approved_at.date().isoformat() if approval.approved_at else "?",
        "user": (by.get_full_name() or by.email) if by else "?",
    }


def approved_only(rows: QuerySet) -> QuerySet:
    """`rows` narrowed to the records dated in a period approved for their country
    (one EXISTS on the approvals' index); rows of an undated model all stay."""
    dated = dated_of(rows.model)
    if dated is None:
        return rows
    approved = Approval.objects.filter(
        state=Approval.State.APPROVED,
        country_id=OuterRef(dated.country),
        start__lte=OuterRef(dated.date),
        end__gte=OuterRef(dated.date),
    )
    return rows.filter(Exists(approved))
