"""The record kinds of the trainers app (see lib/kinds.py)."""

from __future__ import annotations

from scoretrack.lib.cells import COUNTRY, DATE, KEY, NAME, SEX, col, enum_type, ref, text_type
from scoretrack.lib.kinds import PARTNER_SIDE, Dated, Export, Kind
from scoretrack.trainers.models import Milestone, MilestoneKind, Trainer

KINDS = (
    Kind(
        Trainer,
        "trainers",
        (
            KEY,
            NAME,
            col("sex", SEX, True),
            COUNTRY,
            ref("organisation"),
            col("email", text_type(254)),
        ),
        ("key", "country"),
        "Trainers.",
        writers=PARTNER_SIDE,
        export=Export(
            ("country__code", "key"),
            {"country": "country__code", "organisation": "organisation__key"},
            "country__code",
        ),
        importer="scoretrack.exchange.importer.TrainerImporter",
        reference="trainer",
        position=80,
    ),
    Kind(
        Milestone,
        "trainer_milestones",
        (
            ref("trainer", required=True),
            col("milestone", enum_type(MilestoneKind.codes()), True),
            col("date", DATE, True),
            ref("module"),
        ),
        ("trainer", "milestone", "date"),
        "Dated trainer milestones.",
        writers=frozenset({"country_team"}),
        parents=("trainer",),
        export=Export(
            ("trainer__country__code", "trainer__key", "date", "milestone"),
            {"trainer": "trainer__key", "module": "module__code"},
            "trainer__country__code",
        ),
        position=90,
        dated=Dated("date", "trainer__country_id"),
    ),
)
