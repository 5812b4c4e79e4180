"""The derived attendance rows (training.Attendance, training/derived.py) follow
every kind of write to participants and deliveries, and the SME figures over them
follow too.

Each test writes records the way some write path does (ORM save, queryset update
that sends no signal, delete, raw SQL) and checks the rows or the figure worked
out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.tests.conftest import Ask, Make
from scoretrack.lib import derived
from scoretrack.reference.models import Module
from scoretrack.training.derived import ATTENDANCE
from scoretrack.training.models import (
    Attendance,
    AttendanceQueue,
    Delivery,
    Enrolment,
    Participant,
)

pytestmark = pytest.mark.django_db

Row = tuple[str, str, str, str, str, bool, bool, bool]


def rows() -> list[Row]:
    found = Attendance.objects.values_list(
        "enterprise__key",
        "delivery__key",
        "module__code",
        "country__code",
        "start_date",
        "eit",
        "eit_female",
        "eit_male",
    )
    return sorted((e, d, m, c, str(s), eit, f, ma) for e, d, m, c, s, eit, f, ma in found)


@pytest.fixture
def two_firms(make: Make) -> dict[str, Any]:
    a, b = make.enterprise("A"), make.enterprise("B")
    d1 = make.delivery("d1", "M1", "2020-03-01")
    d2 = make.delivery("d2", "M2", "2021-05-01")
    make.participant(d1, a, sex="female", eit_member=True)
    make.participant(d1, a, sex="male")  # not in the team: no EIT man
    make.participant(d2, a, sex="male", eit_member=True)
    make.participant(d1, b, sex="male")
    return {"a": a, "b": b, "d1": d1, "d2": d2}


def test_one_row_per_enterprise_and_delivery_with_its_team_members(two_firms):
    assert derived.refresh(ATTENDANCE) == 2  # A and B were queued
    assert rows() == [
        ("A", "d1", "M1", "BO", "2020-03-01", True, True, False),
        ("A", "d2", "M2", "BO", "2021-05-01", True, False, True),
        ("B", "d1", "M1", "BO", "2020-03-01", False, False, False),
    ]
    assert AttendanceQueue.objects.count() == 0


def flags() -> list[tuple[str, str, bool, bool]]:
    found = Attendance.objects.values_list("enterprise__key", "delivery__key", "sex_known", "rated")
    return sorted(found)


def test_a_row_knows_whether_a_participant_gave_a_sex_or_a_rating(make: Make):
    a, b = make.enterprise("A"), make.enterprise("B")
    d1 = make.delivery("d1", "M1", "2020-03-01")
    make.participant(d1, a, sex="undisclosed", satisfaction=4)
    make.participant(d1, a, sex="male")
    make.participant(d1, b, sex="undisclosed")
    derived.refresh(ATTENDANCE)
    # A: a man (sex known) and a rating; B: neither.
    assert flags() == [("A", "d1", True, True), ("B", "d1", False, False)]
    # B's participant tells their sex and rates the training (an update, no signal);
    # A's man leaves: A keeps its rating, and no one of A's has a sex recorded.
    Participant.objects.filter(enterprise=b).update(sex="female", satisfaction=2)
    Participant.objects.filter(enterprise=a, sex="male").delete()
    derived.refresh(ATTENDANCE)
    assert flags() == [("A", "d1", False, True), ("B", "d1", True, True)]


def test_sqlite_queues_an_enterprise_once(two_firms):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's statement triggers queue one mark per statement")
    assert sorted(AttendanceQueue.objects.values_list("enterprise_id", flat=True)) == sorted(
        [two_firms["a"].pk, two_firms["b"].pk]
    )


def test_a_delivery_moved_to_another_module_moves_the_figure(ask, make: Make, two_firms):
    # Phase II 2020-2021: A took M1 and M2, B M1 only: 1 of 2 took more than one.
    make.phase("II", "2020-01-01", "2021-12-31")
    assert ask("smes_more_than_one_module_pct", phase="II") == 50.0
    assert ask("smes_trained", phase="II", by="module") == {"M1": 2, "M2": 1}
    # A queryset update sends no signal; the delivery trigger still queues A and B.
    Delivery.objects.filter(key="d2").update(module=Module.objects.get(code="M1"))
    assert ask("smes_more_than_one_module_pct", phase="II") == 0.0
    assert ask("smes_trained", phase="II", by="module") == {"M1": 2}


def test_a_delivery_moved_in_time_leaves_the_period(ask, make: Make, two_firms):
    make.phase("II", "2020-01-01", "2020-12-31")
    assert ask("smes_trained", phase="II") == 2
    Delivery.objects.filter(key="d1").update(start_date="2022-01-10")
    assert ask("smes_trained", phase="II") == 0
    derived.refresh()
    assert [(*row[:2], row[4]) for row in rows() if row[1] == "d1"] == [
        ("A", "d1", "2022-01-10"),
        ("B", "d1", "2022-01-10"),
    ]


def test_raw_sql_and_deletes_are_seen(ask, make: Make, two_firms):
    make.phase("II", "2020-01-01", "2021-12-31")
    # A's team has a woman (d1) and a man (d2): mixed; B has no team members.
    assert ask("eit_mixed_pct", phase="II") == 100.0
    man = Participant.objects.get(delivery__key="d2")
    as_stored = man.pk.hex if connection.vendor == "sqlite" else man.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE training_participant SET eit_member = %s WHERE id = %s", [False, as_stored]
        )
    # A's team is now its woman alone: A has members recorded, not mixed.
    assert ask("eit_mixed_pct", phase="II") == 0.0
    derived.refresh()
    assert ("A", "d2", "M2", "BO", "2021-05-01", False, False, False) in rows()
    Participant.objects.filter(enterprise=two_firms["b"]).delete()
    assert ask("smes_trained", phase="II") == 1
    assert [row[0] for row in rows()] == ["A", "A"]


def test_moving_a_participant_to_another_enterprise_refreshes_both(make: Make, two_firms):
    derived.refresh()
    Participant.objects.filter(enterprise=two_firms["b"]).update(enterprise=two_firms["a"])
    assert derived.refresh(ATTENDANCE) == 2
    assert [row[:2] for row in rows()] == [("A", "d1"), ("A", "d2")]


def test_the_full_rebuild_gives_the_same_rows_as_the_incremental_one(two_firms, monkeypatch):
    derived.refresh()
    incremental = rows()
    Participant.objects.update(sex=F("sex"))  # changes nothing, queues A and B
    monkeypatch.setattr(derived, "FULL_REBUILD_AT", 2)
    assert derived.refresh(ATTENDANCE) == 2
    assert rows() == incremental
    assert len(incremental) == 3


def test_a_partner_counts_only_the_attendances_it_may_see(make: Make, two_firms):
    """The rows are scoped as participations: a partner organising d1 only sees d1's."""
    partner = make.org("P1", type="private_training")
    Delivery.objects.filter(key="d1").update(organiser=partner)
    user = User.objects.create(email="partner@example.org")
    RoleAssignment.objects.create(user=user, role="partner", organisation=partner)
    for firm in (two_firms["a"], two_firms["b"]):  # the partner sees the SMEs it enrolled
        Enrolment.objects.get_or_create(delivery=two_firms["d1"], enterprise=firm)
    make.phase("II", "2020-01-01", "2021-12-31")
    derived.refresh()
    seen = Attendance.objects.visible_to(user, purpose="aggregates")
    assert sorted(seen.values_list("enterprise__key", "delivery__key")) == [
        ("A", "d1"),
        ("B", "d1"),
    ]
    # A's M2 in d2 is not the partner's: to it, nobody took more than one module.
    assert Ask(user)("smes_more_than_one_module_pct", phase="II") == 0.0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan without statistics")
def test_smes_by_country_over_all_time_walk_the_country_index(ask, two_firms):
    """All of a country's attendances in (country, enterprise) order: counted as they
    come, with no temporary B-tree (five times faster at 100,000 enterprises)."""
    from django.test.utils import CaptureQueriesContext

    derived.refresh()
    with CaptureQueriesContext(connection) as queries:
        assert ask("smes_trained", by="country") == {"BO": 2}
    (sql,) = [
        q["sql"] for q in queries.captured_queries if 'FROM "training_attendance"' in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX attendance_country" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
