"""A trainer's status, derived from its milestones in the database, on hand-made careers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.lib.current_user import acting_as
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.trainers.queries import with_status


@pytest.mark.parametrize(
    ("career", "expected"),
    [
        ([], "candidate"),
        ([("trained", "2015-01-01")], "trained"),
        ([("trained", "2015-01-01"), ("recommended", "2015-06-01")], "recommended"),
        ([("certified", "2016-01-01"), ("trained", "2015-01-01")], "certified"),
        ([("expert", "2017-01-01"), ("certified", "2018-01-01")], "expert"),
        ([("certified", "2016-01-01"), ("withdrawn", "2017-01-01")], "withdrawn"),
        # Back after a withdrawal: what came after it counts, even a lower level.
        (
            [("expert", "2015-01-01"), ("withdrawn", "2016-01-01"), ("trained", "2017-01-01")],
            "trained",
        ),
        # A withdrawal before any training does not hide the later milestones.
        ([("withdrawn", "2014-01-01"), ("certified", "2015-01-01")], "certified"),
    ],
)
def test_the_database_status_is_the_model_status(
    world: SimpleNamespace, admin: Any, career: list[tuple[str, str]], expected: str
) -> None:
    with acting_as(admin):
        for kind, day in career:
            Milestone.objects.create(trainer=world.rosa, milestone=kind, date=day)
    annotated = with_status(Trainer.objects.filter(pk=world.rosa.pk)).get()
    assert annotated.status_code == expected
    assert world.rosa.status() == expected
