"""The derived outcome rows (outcomes/derived.py) follow every kind of write.

Each test changes records the way some write path does (ORM save, queryset update
that sends no signal, cascade delete, raw SQL) and checks the rows or the figure
worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from scoretrack.indicators.tests.conftest import Make
from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.outcomes.models import (
    Assessment,
    KpiObservation,
    KpiPoint,
    OutcomeQueue,
    PracticeAnswer,
    PracticeStep,
)

pytestmark = pytest.mark.django_db


def steps() -> list[tuple[str, str, str, bool, bool, str | None]]:
    rows = PracticeStep.objects.values_list(
        "enterprise__key", "practice__code", "date", "before", "after", "next_date"
    )
    return sorted(
        (firm, practice, str(date), before, after, str(nxt) if nxt else None)
        for firm, practice, date, before, after, nxt in rows
    )


def points() -> list[tuple[str, str, str, Decimal, Decimal, int, str | None, str | None]]:
    rows = KpiPoint.objects.values_list(
        "enterprise__key",
        "kpi__code",
        "month",
        "value",
        "first_value",
        "rank",
        "prev_month",
        "next_month",
    )
    return sorted(
        (f, k, str(m), Decimal(v), Decimal(fv), r, str(p) if p else None, str(n) if n else None)
        for f, k, m, v, fv, r, p, n in rows
    )


@pytest.fixture
def firm(make: Make) -> Any:
    return make.enterprise("E1")


def test_progress_answers_after_the_earliest_baseline_become_steps(make: Make, firm):
    make.assessment(firm, "progress", "2019-12-01", P5S=True)  # before any baseline: no step
    make.assessment(firm, "baseline", "2020-01-10", P5S=False, PQ=True)
    make.assessment(firm, "baseline", "2020-02-10", P5S=True)  # not the earliest
    make.assessment(firm, "progress", "2020-06-01", P5S=True, PQ=False)
    make.assessment(firm, "progress", "2021-06-01", P5S=False)
    assert set(OutcomeQueue.objects.values_list("enterprise_id", flat=True)) == {firm.pk}
    assert derived.refresh() == 1
    assert OutcomeQueue.objects.count() == 0
    assert steps() == [
        ("E1", "P5S", "2020-06-01", False, True, "2021-06-01"),
        ("E1", "P5S", "2021-06-01", False, False, None),
        ("E1", "PQ", "2020-06-01", True, False, None),
    ]
    assert derived.refresh() == 0


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL queues one mark per statement"
)
def test_sqlite_queues_an_enterprise_once(make: Make, firm):
    make.assessment(firm, "baseline", "2020-01-10", P5S=False, PQ=True)
    assert OutcomeQueue.objects.count() == 1


def test_kpi_points_carry_first_value_rank_and_neighbours(make: Make, firm):
    make.observations(firm, make.kpi("productivity"), "2020-11", "10", "12", "11")
    derived.refresh()
    assert points() == [
        ("E1", "productivity", "2020-11-01", Decimal(10), Decimal(10), 1, None, "2020-12-01"),
        (
            "E1",
            "productivity",
            "2020-12-01",
            Decimal(12),
            Decimal(10),
            2,
            "2020-11-01",
            "2021-01-01",
        ),
        ("E1", "productivity", "2021-01-01", Decimal(11), Decimal(10), 3, "2020-12-01", None),
    ]


def test_a_queryset_update_without_signals_still_moves_the_figure(ask, make: Make, firm):
    make.observations(firm, make.kpi("employment"), "2020-01", "50", "55")
    assert ask("jobs_created") == 5
    KpiObservation.objects.filter(month=dt.date(2020, 2, 1)).update(value=Decimal(40))
    assert ask("jobs_created") == -10


def test_raw_sql_writes_are_seen(ask, make: Make, firm):
    make.assessment(firm, "baseline", "2020-01-10", P5S=False)
    make.assessment(firm, "progress", "2020-06-01", P5S=False)
    assert ask("practice_newly_implemented_pct") == 0.0
    progress = Assessment.objects.get(kind="progress").pk
    as_stored = progress.hex if connection.vendor == "sqlite" else progress
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE outcomes_practiceanswer SET in_place = %s WHERE assessment_id = %s",
            [True, as_stored],
        )
    assert ask("practice_newly_implemented_pct") == 100.0


def test_deleting_an_assessment_or_the_enterprise_removes_its_rows(ask, make: Make, firm):
    other = make.enterprise("E2")
    make.assessment(firm, "baseline", "2020-01-10", P5S=False)
    progress = make.assessment(firm, "progress", "2020-06-01", P5S=True)
    make.assessment(other, "baseline", "2020-01-10", P5S=True)
    make.assessment(other, "progress", "2020-06-01", P5S=True)
    make.observations(firm, make.kpi("employment"), "2020-01", "50", "55")
    assert ask("practice_newly_implemented_pct") == 50.0
    progress.delete()  # cascades to its answers
    assert ask("practice_newly_implemented_pct") == 0.0
    assert steps() == [("E2", "P5S", "2020-06-01", True, True, None)]
    firm.delete()  # cascades to its assessments and observations
    assert ask("jobs_created") == 0
    derived.refresh()
    assert KpiPoint.objects.count() == 0
    assert [row[0] for row in steps()] == ["E2"]


def test_moving_an_answer_to_another_enterprise_refreshes_both(make: Make, firm):
    other = make.enterprise("E2")
    make.assessment(firm, "baseline", "2020-01-10", P5S=False)
    make.assessment(other, "baseline", "2020-01-10", P5S=True)
    progress = make.assessment(firm, "progress", "2020-06-01", P5S=True)
    derived.refresh()
    assert [row[0] for row in steps()] == ["E1"]
    Assessment.objects.filter(pk=progress.pk).update(enterprise=other)
    derived.refresh()
    assert steps() == [("E2", "P5S", "2020-06-01", True, True, None)]


def test_the_full_rebuild_gives_the_same_rows_as_the_incremental_one(make: Make, monkeypatch):
    for key in ("E1", "E2", "E3"):
        firm = make.enterprise(key)
        make.assessment(firm, "baseline", "2020-01-10", P5S=key != "E2", PQ=False)
        make.assessment(firm, "progress", "2020-06-01", P5S=True, PQ=key == "E3")
        make.observations(firm, make.kpi("employment"), "2020-01", "10", key[1])
    derived.refresh()
    incremental = (steps(), points())
    PracticeAnswer.objects.update(in_place=F("in_place"))  # changes nothing, queues all three
    monkeypatch.setattr(derived, "FULL_REBUILD_AT", 2)
    assert derived.refresh() == 3
    assert (steps(), points()) == incremental
    assert len(incremental[0]) == 6 and len(incremental[1]) == 6


def test_a_report_looks_at_the_queue_once(make: Make, firm, django_assert_num_queries):
    make.assessment(firm, "baseline", "2020-01-10", P5S=False)
    with derived.refreshed_once():
        assert derived.refresh(OUTCOMES) == 1
        make.assessment(firm, "progress", "2020-06-01", P5S=True)
        with django_assert_num_queries(0):
            assert derived.refresh(OUTCOMES) == 0  # the rest of the page reads as its start did
    assert PracticeStep.objects.count() == 0
    assert derived.refresh(OUTCOMES) == 1
    assert PracticeStep.objects.count() == 1
    with django_assert_num_queries(1):
        assert derived.refresh(OUTCOMES) == 0
