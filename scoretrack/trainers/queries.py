"""Reads of trainers: their status, computed in the database for lists and filters."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    CharField,
    DateField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scoretrack.trainers.models import Milestone, MilestoneKind, Trainer

STATUSES = [
    ("candidate", _("Candidate")),
    ("trained", pgettext_lazy("a trainer's status", "Trained")),
    ("recommended", _("Recommended for certification")),
    ("certified", pgettext_lazy("a trainer's status", "Certified")),
    ("expert", _("Expert / master trainer")),
    ("withdrawn", _("Withdrawn")),
]
_RANK = Case(
    When(milestone=MilestoneKind.TRAINED, then=Value(1)),
    When(milestone=MilestoneKind.RECOMMENDED, then=Value(2)),
    When(milestone=MilestoneKind.CERTIFIED, then=Value(3)),
    When(milestone=MilestoneKind.EXPERT, then=Value(4)),
    default=Value(0),
    output_field=IntegerField(),
)


def with_status(trainers: QuerySet[Trainer]) -> QuerySet[Trainer]:
    """Annotate `status_code`, the trainer's status derived from its milestones, in one query.

    The status is the highest level reached after the latest withdrawal (all
    milestones if never withdrawn); withdrawn if nothing came after it;
    candidate without any milestone. Milestones are ordered by date, then entry.
    """
    withdrawals = Milestone.objects.filter(
        trainer=OuterRef("pk"), milestone=MilestoneKind.WITHDRAWN
    ).order_by("-date", "-created_at")
    trainers = trainers.annotate(
        withdrawn_on=Subquery(withdrawals.values("date")[:1], output_field=DateField()),
        withdrawn_at=Subquery(withdrawals.values("created_at")[:1]),
    )
    since = Coalesce(OuterRef("withdrawn_on"), Value(dt.date.min), output_field=DateField())
    after_withdrawal = (
        Milestone.objects.filter(trainer=OuterRef("pk"))
        .exclude(milestone=MilestoneKind.WITHDRAWN)
        .filter(
            Q(date__gt=since)
            | Q(date=OuterRef("withdrawn_on"), created_at__gt=OuterRef("withdrawn_at"))
        )
        .values("trainer")
        .annotate(top=Max(_RANK))
        .values("top")
    )
    return trainers.annotate(
        level=Subquery(after_withdrawal, output_field=IntegerField()),
        status_code=Case(
            When(level=4, then=Value("expert")),
            When(level=3, then=Value("certified")),
            When(level=2, then=Value("recommended")),
            When(level=1, then=Value("trained")),
            When(withdrawn_on__isnull=False, then=Value("withdrawn")),
            default=Value("candidate"),
            output_field=CharField(),
        ),
    )


def status_label(code: str) -> str:
    return dict(STATUSES).get(code, code)
