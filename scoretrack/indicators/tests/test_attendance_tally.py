"""The attendance tally (training.AttendanceTally): the attendances' firms summed
across enterprises per country of the delivery, module and fixed period, with those
whose enterprise facts (ownership, union, agreement, workforce) or attendance facts
(team members, a participant's sex, a rating) are known; and disclosure control's
counts of the SME family read from it (tallies.attendance_firms).

Every expected value is worked out in the comments from the records the test makes;
on a generated programme, every table is also counted from the rows (the tally set
aside, as before it).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.indicators import populations
from scoretrack.indicators.protection import ALL_TIME, Cell, Guard, Period
from scoretrack.indicators.registry import Filters
from scoretrack.indicators.tests.conftest import Make
from scoretrack.indicators.tests.test_disclosure_counts import year
from scoretrack.lib import derived
from scoretrack.reference.models import Phase as ProgrammePhase
from scoretrack.training.derived import ATTENDANCE, FIRMS_TALLY, FIRMS_TALLY_SUMS
from scoretrack.training.models import AttendanceTally, Delivery, Enrolment, Participant

pytestmark = pytest.mark.django_db

TALLY = FIRMS_TALLY
SUMS = FIRMS_TALLY_SUMS
Key = tuple[str | None, str | None, str, str]


def attendance_tally(kinds: tuple[str, ...] = ("all", "phase", "year", "half", "quarter")) -> dict:
    """The kept sums by (country, module, kind, period), zero keys left out; a
    phase by its name, '' for no phase."""
    found: dict[Key, list[int]] = {}
    rows = AttendanceTally.objects.filter(kind__in=kinds).values_list(
        "country__code", "module__code", "kind", "period_key", *SUMS
    )
    for country, module, kind, key, *sums in rows:
        if kind == "phase" and key:
            key = ProgrammePhase.objects.get(pk=key).name
        total = found.setdefault((country, module, kind, key), [0] * len(SUMS))
        for i, n in enumerate(sums):
            total[i] += n
    return {key: tuple(s) for key, s in found.items() if any(s)}


def rebuilt(kinds: tuple[str, ...] = ("all", "phase", "year", "half", "quarter")) -> dict:
    derived.rebuild_all(ATTENDANCE)
    return attendance_tally(kinds)


@pytest.fixture
def viewer_user(db: Any) -> User:
    user = User.objects.create(email="viewer@example.org")
    RoleAssignment.objects.create(user=user, role="viewer")
    return user


@pytest.fixture
def trained(make: Make) -> dict[str, Any]:
    """Phases I (2019) and II (2020). d1 M1 BO 2019-03; d2 M2 BO 2020-08; d3 M1 ID
    2020-02; d4 M1 BO 2021-05 (in no phase); d5 M1 ID 2019-03.
    A (BO; women-owned, 3 women workers): d1 a woman of the team; d2 a person of
    undisclosed sex, who rated it.
    B (ID; unionised): d3 and d5, a man each.
    C (BO; nothing known): d4 a woman, who rated it."""
    make.phase("I", "2019-01-01", "2019-12-31")
    make.phase("II", "2020-01-01", "2020-12-31")
    a = make.enterprise("A", country="BO", women_owned=True, workforce_female=3)
    b = make.enterprise("B", country="ID", unionised=True)
    c = make.enterprise("C", country="BO")
    d1 = make.delivery("d1", module="M1", start="2019-03-01", country="BO")
    d2 = make.delivery("d2", module="M2", start="2020-08-01", country="BO")
    d3 = make.delivery("d3", module="M1", start="2020-02-01", country="ID")
    d4 = make.delivery("d4", module="M1", start="2021-05-01", country="BO")
    d5 = make.delivery("d5", module="M1", start="2019-03-01", country="ID")
    make.participant(d1, a, eit_member=True)
    make.participant(d2, a, sex="undisclosed", satisfaction=4)
    make.participant(d3, b, sex="male")
    make.participant(d5, b, sex="male")
    make.participant(d4, c, satisfaction=5)
    derived.refresh()
    return {"A": a, "B": b, "C": c}


# (firms, owner, union, agreement, workforce, team members, sex known, rated)
A_D2 = (1, 1, 0, 0, 1, 0, 0, 1)  # A in d2 alone
A_D1 = (1, 1, 0, 0, 1, 1, 1, 0)  # A in d1 alone
B_ANY = (1, 0, 1, 0, 0, 0, 1, 0)  # B in d3 or d5
C_D4 = (1, 0, 0, 0, 0, 0, 1, 1)  # C in d4
D1 = (2, 1, 1, 0, 1, 1, 2, 0)  # March 2019: d1 (A, the team member) and d5 (B)
Y2020 = (2, 1, 1, 0, 1, 0, 1, 1)  # d2 (A) and d3 (B)


def test_the_tally_holds_the_attendances_firms_by_hand(trained):
    """All time, every firm: A, B, C; A's rating is of d2 (M2), C's of d4 (M1)."""
    assert attendance_tally(("all", "phase")) == {
        (None, None, "all", ""): (3, 1, 1, 0, 1, 1, 3, 2),
        ("BO", None, "all", ""): (2, 1, 0, 0, 1, 1, 2, 2),  # d1, d2 (A), d4 (C)
        ("ID", None, "all", ""): B_ANY,
        (None, "M1", "all", ""): (3, 1, 1, 0, 1, 1, 3, 1),  # d1, d3, d4, d5
        ("BO", "M1", "all", ""): (2, 1, 0, 0, 1, 1, 2, 1),  # d1 (A), d4 (C)
        ("ID", "M1", "all", ""): B_ANY,
        (None, "M2", "all", ""): A_D2,
        ("BO", "M2", "all", ""): A_D2,
        # Phase I: d1 (A, BO) and d5 (B, ID), both M1.
        (None, None, "phase", "I"): D1,
        ("BO", None, "phase", "I"): A_D1,
        ("ID", None, "phase", "I"): B_ANY,
        (None, "M1", "phase", "I"): D1,
        ("BO", "M1", "phase", "I"): A_D1,
        ("ID", "M1", "phase", "I"): B_ANY,
        # Phase II: d2 (A, BO, M2) and d3 (B, ID, M1).
        (None, None, "phase", "II"): Y2020,
        ("BO", None, "phase", "II"): A_D2,
        ("ID", None, "phase", "II"): B_ANY,
        (None, "M1", "phase", "II"): B_ANY,
        (None, "M2", "phase", "II"): A_D2,
        ("BO", "M2", "phase", "II"): A_D2,
        ("ID", "M1", "phase", "II"): B_ANY,
        # In no phase: d4 (C, 2021).
        (None, None, "phase", ""): C_D4,
        ("BO", None, "phase", ""): C_D4,
        (None, "M1", "phase", ""): C_D4,
        ("BO", "M1", "phase", ""): C_D4,
    }
    # Years, halves and quarters over every country and module.
    every = {
        (kind, period): sums
        for (country, module, kind, period), sums in attendance_tally(
            ("year", "half", "quarter")
        ).items()
        if country is None and module is None
    }
    assert every == {
        ("year", "2019"): D1,
        ("year", "2020"): Y2020,
        ("year", "2021"): C_D4,
        ("half", "20191"): D1,
        ("half", "20201"): B_ANY,  # d3, February
        ("half", "20202"): A_D2,  # d2, August
        ("half", "20211"): C_D4,
        ("quarter", "20191"): D1,
        ("quarter", "20201"): B_ANY,
        ("quarter", "20203"): A_D2,
        ("quarter", "20212"): C_D4,
    }
    assert attendance_tally() == rebuilt()


def test_changes_of_a_firms_facts_moves_and_deletions_keep_the_tally_exact(trained):
    """A's ownership becomes unknown and C's agreement known (queryset updates: the
    triggers see them); d3 moves to BO; B's participation in d5 is deleted, and d4
    with its participants. Then: all time, every firm: A (d1, d2), B (d3): A knows
    its workforce only, B its union; A a team member (d1); sex known: A (d1), B;
    rated: A (d2). C has no attendance left (its agreement counts nowhere)."""
    Enterprise.objects.filter(key="A").update(women_owned=None)
    Enterprise.objects.filter(key="C").update(collective_agreement=False)
    Delivery.objects.filter(key="d3").update(country=Make().country("BO"))
    Participant.objects.filter(enterprise__key="B", delivery__key="d5").delete()
    Participant.objects.filter(delivery__key="d4").delete()
    Enrolment.objects.filter(delivery__key="d4").delete()
    Delivery.objects.filter(key="d4").delete()
    derived.refresh()
    found = attendance_tally(("all", "phase"))
    a_d1 = (1, 0, 0, 0, 1, 1, 1, 0)
    a_d2 = (1, 0, 0, 0, 1, 0, 0, 1)
    both = (2, 0, 1, 0, 1, 0, 1, 1)  # d2 (A) and d3 (B), phase II
    assert found == {
        (None, None, "all", ""): (2, 0, 1, 0, 1, 1, 2, 1),
        ("BO", None, "all", ""): (2, 0, 1, 0, 1, 1, 2, 1),
        (None, "M1", "all", ""): (2, 0, 1, 0, 1, 1, 2, 0),  # d1 (A), d3 (B)
        ("BO", "M1", "all", ""): (2, 0, 1, 0, 1, 1, 2, 0),
        (None, "M2", "all", ""): a_d2,
        ("BO", "M2", "all", ""): a_d2,
        (None, None, "phase", "I"): a_d1,
        ("BO", None, "phase", "I"): a_d1,
        (None, "M1", "phase", "I"): a_d1,
        ("BO", "M1", "phase", "I"): a_d1,
        (None, None, "phase", "II"): both,
        ("BO", None, "phase", "II"): both,
        (None, "M1", "phase", "II"): B_ANY,
        ("BO", "M1", "phase", "II"): B_ANY,
        (None, "M2", "phase", "II"): a_d2,
        ("BO", "M2", "phase", "II"): a_d2,
    }
    assert attendance_tally() == rebuilt()


def test_a_change_of_other_fields_queues_no_firm(trained):
    """Only a fact becoming known or unknown matters: A's women-owned True → False,
    a new name, another workforce figure leave the queue empty."""
    from scoretrack.training.models import AttendanceQueue

    Enterprise.objects.filter(key="A").update(women_owned=False, name="A2", workforce_female=4)
    assert not AttendanceQueue.objects.exists()
    Enterprise.objects.filter(key="A").update(workforce_female=None)
    assert set(AttendanceQueue.objects.values_list("enterprise_id", flat=True)) == {trained["A"].pk}


def test_the_families_counts_read_the_tally_unless_it_cannot_say(trained, viewer_user, make):
    """Cells of the SME family counted for a viewer from the tally; for approved data
    only, a sector, a lead buyer's user, from the rows. 2020 by module: M1 {B}, M2
    {A}; owner known in 2020: {A}; phase II in BO: {A}; all time, any: {A, B, C}."""
    guard = Guard(populations.TRAINED_SMES, viewer_user, Filters(by="module"), {})
    owner = Guard(populations.KNOWN_OWNERSHIP, viewer_user, Filters(), {})
    phase_ii = Period(
        "phase", year(2020).start, year(2020).end, str(ProgrammePhase.objects.get(name="II").pk)
    )
    with CaptureQueriesContext(connection) as reading:
        assert guard.count(Cell(year(2020), (), "M1")) == 1
        assert guard.count(Cell(year(2020), (), "M2")) == 1
        assert guard.count(Cell(ALL_TIME, ())) == 3
        assert guard.count(Cell(phase_ii, (("country", "BO"),))) == 1
        assert owner.count(Cell(year(2020), ())) == 1
        assert owner.count(Cell(ALL_TIME, ())) == 1
    assert any(TALLY in q["sql"] for q in reading.captured_queries)
    assert not any("COUNT(DISTINCT" in q["sql"] for q in reading.captured_queries)

    approved = Guard(populations.TRAINED_SMES, viewer_user, Filters(approved_only=True), {})
    with CaptureQueriesContext(connection) as reading:
        assert approved.count(Cell(ALL_TIME, ())) == 0  # nothing approved
    assert not any(TALLY in q["sql"] for q in reading.captured_queries)

    with CaptureQueriesContext(connection) as reading:
        parts = guard.grouped(Cell(ALL_TIME, ()), ("place", "sector"))
    assert sum(parts.values()) == 3  # (no firm has a sector: one part)
    assert not any(TALLY in q["sql"] for q in reading.captured_queries)

    buyer = make.org("LB", type="lead_buyer", country=None)
    buyer_user = User.objects.create(email="buyer@example.org")
    RoleAssignment.objects.create(user=buyer_user, role="lead_buyer", organisation=buyer)
    scoped = Guard(populations.TRAINED_SMES, buyer_user, Filters(), {})
    with CaptureQueriesContext(connection) as reading:
        assert scoped.count(Cell(ALL_TIME, ())) == 0  # it buys from none of them
    assert not any(TALLY in q["sql"] for q in reading.captured_queries)


@pytest.fixture
def generated(db: Any) -> None:
    from django.core.management import call_command

    call_command("generate", enterprises=150, seed=7, verbosity=0)
    derived.refresh()


FAMILY = [
    populations.TRAINED_SMES,
    populations.KNOWN_OWNERSHIP,
    populations.KNOWN_UNION,
    populations.KNOWN_AGREEMENT,
    populations.WITH_EIT,
    populations.KNOWN_SEX,
    populations.RATED,
]
HOME = [populations.TRAINED_SMES_BY_HOME, populations.KNOWN_WORKFORCE]


@pytest.mark.parametrize(
    ("population", "by"),
    [
        *((p, by) for p in FAMILY for by in (None, "module", "country")),
        *((p, by) for p in HOME for by in (None, "module")),
    ],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_the_tally_gives_the_rows_counts_on_a_generated_programme(
    generated, viewer_user, population, by
):
    """Every table a decision asks (all countries and each; per group, per period
    kind, per country) is the same read from the tally as counted from the rows."""
    from scoretrack.reference.models import CountryProgramme

    rows = dataclasses.replace(population, name=f"{population.name}-rows", tally=None)
    tallied = Guard(population, viewer_user, Filters(by=by), {})
    counted = Guard(rows, viewer_user, Filters(by=by), {})
    countries = list(CountryProgramme.objects.values_list("code", flat=True))
    group = (("by", by),) if by else ()
    total = 0
    with CaptureQueriesContext(connection) as reading:
        for places in [(), *((("country", code),) for code in countries)]:
            for kind in (None, "phase", "year", "half", "quarter"):
                period = (("period", kind),) if kind else ()
                for dims in [(*group, *period), (*group, *period, ("place", "country"))]:
                    if group == (("by", "country"),) and dims[-1] == ("place", "country"):
                        continue  # (the same column twice)
                    found = tallied.table(places, tuple(sorted(dims, key=repr)))
                    expected = counted.table(places, tuple(sorted(dims, key=repr)))
                    assert found == expected, (places, dims)
                    total += sum(found.values())
    assert total > 0
    assert any(TALLY in q["sql"] for q in reading.captured_queries)
