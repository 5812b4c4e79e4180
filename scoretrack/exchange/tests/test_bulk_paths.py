"""The import's faster paths keep its answers: the cell parsing loop and the
enrolment rule's narrower query, on hand-worked rows (issue 21, branch bulk)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.exchange.importer import IMPORTERS, Context, Problems
from scoretrack.exchange.references import Resolver
from scoretrack.exchange.schema import SHEETS_BY_NAME
from scoretrack.training.models import not_enrolled

HEADER = ["delivery", "enterprise", "sex", "role", "person", "name", "eit_member", "satisfaction"]


def parser() -> tuple[Any, Problems]:
    problems = Problems()
    ctx = Context(user=None, resolver=Resolver(None), problems=problems)
    header = {name: position for position, name in enumerate(HEADER)}
    return IMPORTERS["participants"](SHEETS_BY_NAME["participants"], header, ctx), problems


def test_cells_are_stripped_then_lose_one_apostrophe() -> None:
    importer, problems = parser()
    row = importer.parse(2, [" D1 ", "'E1", "female", "worker", "", "  'Ana ", "yes", " 3 "])
    assert row.cells == {
        "delivery": "D1",
        "enterprise": "E1",
        "sex": "female",
        "role": "worker",
        "person": None,
        "name": "Ana",
        "eit_member": True,
        "satisfaction": 3,
    }
    assert row.raw["name"] == "Ana" and row.raw["person"] == ""
    # the apostrophe, then the spaces it protected: the text, stripped
    row = importer.parse(3, ["D1", "E1", "male", "manager", "'  p7", "''Bo", "no", ""])
    assert (row.cells["person"], row.cells["name"], row.cells["satisfaction"]) == (
        "p7",
        "'Bo",
        None,
    )
    assert problems.items == []


def test_blank_rows_are_skipped_whatever_their_length() -> None:
    importer, problems = parser()
    assert importer.parse(2, ["", " ", "'", "' ", None]) is None  # shorter than the header
    assert importer.parse(3, []) is None
    assert importer.parse(4, ["", "", "", "", "", "", "", "", "extra"]) is None
    assert problems.count == 0


def test_a_required_cell_left_blank_or_only_an_apostrophe_is_reported() -> None:
    importer, problems = parser()
    assert importer.parse(5, ["D1", "E1", "'", "worker", "", "Eva"]) is None
    assert importer.parse(6, ["D1", "E1", "female"]) is None  # role missing: a short row
    assert [p.line() for p in problems.items] == [
        "participants:5:sex: required",
        "participants:6:role: required",
    ]


def test_every_bad_cell_of_a_row_is_reported() -> None:
    importer, problems = parser()
    row = ["D1", "E1", "woman", "worker", "", "A\x00b", "maybe", "6"]
    assert importer.parse(7, row) is None
    assert [p.line() for p in problems.items] == [
        "participants:7:sex: not one of female, male, undisclosed (value 'woman')",
        "participants:7:name: holds the control character U+0000, which cannot be stored "
        "(value 'A␀b')",
        "participants:7:eit_member: not yes or no (value 'maybe')",
        "participants:7:satisfaction: not between 1 and 5 (value '6')",
    ]


def test_spreadsheet_cells_keep_their_types() -> None:
    """xlsx cells come as numbers and booleans, not text."""
    importer, problems = parser()
    row = importer.parse(2, ["D1", 42.0, "male", "worker", 7, None, True, 4.0])
    assert (row.cells["enterprise"], row.cells["person"], row.cells["name"]) == ("42", "7", None)
    assert (row.cells["eit_member"], row.cells["satisfaction"]) == (True, 4)
    assert problems.count == 0


def pair(delivery: Any, enterprise: Any) -> SimpleNamespace:
    return SimpleNamespace(
        delivery_id=getattr(delivery, "pk", None), enterprise_id=getattr(enterprise, "pk", None)
    )


@pytest.mark.django_db
def test_the_enrolment_rule_asks_each_pair_whichever_list_it_narrows_by(
    world: SimpleNamespace,
) -> None:
    """Enrolled: D-BO with E-BO1, D-BO2 with E-BO2 (the world's)."""
    w = world

    def broken(records: list[SimpleNamespace]) -> list[int]:
        return [v.position for v in not_enrolled(records, "a participant")]

    # one delivery, two enterprises: read by delivery
    assert broken([pair(w.D_BO, w.E_BO1), pair(w.D_BO, w.E_BO2)]) == [1]
    # two deliveries, one enterprise: read by enterprise
    assert broken([pair(w.D_BO, w.E_BO2), pair(w.D_BO2, w.E_BO2)]) == [0]
    # each delivery has an enrolled enterprise of the batch, not the other one
    mixed = [
        pair(w.D_BO, w.E_BO1),
        pair(w.D_BO2, w.E_BO2),
        pair(w.D_BO, w.E_BO2),
        pair(w.D_BO2, w.E_BO1),
    ]
    assert broken(mixed) == [2, 3]
    # a visit without a delivery is not asked
    assert broken([pair(None, w.E_BO1), pair(w.D_PE, w.E_BO1)]) == [1]
