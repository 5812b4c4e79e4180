"""An approved period is locked: no record dated in it, in its country, is created,
changed, deleted or restored, whatever the path (Record.save and delete, the
importer, deletion sets: they ask `violations` through lib.hooks). The date and the
country of a record are its kind's `dated` declaration (lib/kinds.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils.translation import gettext as _

from scoretrack.lib.kinds import Dated, dated_of
from scoretrack.lib.models import Violation
from scoretrack.quality.models import Approval


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

    def value(record: Any, path: str) -> Any:
        if "__" not in path:
            return getattr(record, path, None)
        first, rest = path.split("__", 1)
        attname, rows = found[first]
        row = rows.get(getattr(record, attname, None))
        return None if row is None else row[through[first].index(rest)]

    return [(value(record, dated.date), value(record, dated.country)) for record in records]


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
