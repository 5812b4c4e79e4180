"""Trainer certification as the programme does it.

The country team recommends a trained trainer (national recommendation); a
global admin approves, which is the `certified` milestone (final approval stays
global since certification was decentralised in 2015). Both steps are dated
milestones whose `created_by` says who took them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from scoretrack.accounts.scoping import access_for
from scoretrack.lib.current_user import acting_as
from scoretrack.trainers.models import Milestone, Trainer, certification_step

TRAINED, RECOMMENDED, CERTIFIED = (
    Milestone.Kind.TRAINED,
    Milestone.Kind.RECOMMENDED,
    Milestone.Kind.CERTIFIED,
)


def _has(trainer: Trainer, kind: str, on_or_before: dt.date) -> bool:
    return trainer.milestones.filter(milestone=kind, date__lte=on_or_before).exists()


@transaction.atomic
def trainer_recommend(*, trainer: Trainer, user: Any, date: dt.date) -> Milestone:
    access = access_for(user)
    if not (access.is_global or trainer.country_id in access.countries):
        raise PermissionDenied("only the trainer's country team can recommend certification")
    if not _has(trainer, TRAINED, date):
        raise ValidationError("a trainer must be trained before being recommended")
    if _has(trainer, CERTIFIED, date):
        raise ValidationError("this trainer is already certified")
    with acting_as(user), certification_step():
        return Milestone.objects.create(trainer=trainer, milestone=RECOMMENDED, date=date)


@transaction.atomic
def trainer_certify(*, trainer: Trainer, user: Any, date: dt.date) -> Milestone:
    if not access_for(user).is_global:
        raise PermissionDenied("only a global admin can approve certification")
    if not _has(trainer, RECOMMENDED, date):
        raise ValidationError("the country team must recommend the trainer first")
    if _has(trainer, CERTIFIED, date):
        raise ValidationError("this trainer is already certified")
    with acting_as(user), certification_step():
        return Milestone.objects.create(trainer=trainer, milestone=CERTIFIED, date=date)
