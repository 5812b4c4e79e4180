"""An import cannot create or change records outside the importer's scope."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.services import workbook_import

HEADER = ["key", "name", "country"]


def test_a_country_team_imports_its_country_and_is_refused_the_other(
    world: SimpleNamespace, xlsx: Callable[[dict], Path]
) -> None:
    book = xlsx(
        {
            "enterprises": [
                HEADER,
                ["E-BO9", "Nueva Bolivia", "BO"],
                ["E-PE9", "Nueva Peru", "PE"],
            ]
        }
    )
    report = workbook_import(source=book, user=world.users["country"])
    assert [p.line() for p in report.problems] == [
        "enterprises:3:: outside your scope: your role may not create this enterprise"
    ]
    assert not report.committed
    assert not Enterprise.objects.filter(key__in=["E-BO9", "E-PE9"]).exists()


def test_changing_a_record_out_of_scope_is_refused(
    world: SimpleNamespace, xlsx: Callable[[dict], Path]
) -> None:
    # E-PE1 is Peru's: the Bolivian team cannot see it, so its key is new to them,
    # and a new Peruvian enterprise is not theirs to create either.
    book = xlsx({"enterprises": [HEADER, ["E-PE1", "Renamed", "PE"]]})
    report = workbook_import(source=book, user=world.users["country"])
    assert report.problem_count == 1
    assert Enterprise.objects.get(key="E-PE1").name == "Pesca Norte"


def test_a_partner_cannot_enrol_a_stranger_sme_by_import(
    world: SimpleNamespace, xlsx: Callable[[dict], Path]
) -> None:
    book = xlsx(
        {
            "enrolments": [
                ["delivery", "enterprise"],
                ["D-BO", "E-BO1"],
            ]
        }
    )
    ok = workbook_import(source=book, user=world.users["partner"])
    assert ok.committed, [p.line() for p in ok.problems]
    assert ok.counts["enrolments"].unchanged == 1
    # E-BO2 is not visible to the partner at all: an unknown reference for them.
    stranger = xlsx({"enrolments": [["delivery", "enterprise"], ["D-BO", "E-BO2"]]})
    refused = workbook_import(source=stranger, user=world.users["partner"])
    assert [p.line() for p in refused.problems] == [
        "enrolments:2:enterprise: unknown enterprise 'E-BO2' (value 'E-BO2')"
    ]


def test_a_donor_imports_nothing(world: SimpleNamespace, xlsx: Callable[[dict], Path]) -> None:
    book = xlsx({"enterprises": [HEADER, ["E-BO9", "Nueva", "BO"]]})
    report = workbook_import(source=book, user=world.users["viewer"])
    assert not report.committed
    assert report.problem_count == 1
