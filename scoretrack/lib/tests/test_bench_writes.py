"""The writes-during-an-import benchmark's own pieces (`benchmarks/writes_import.py`):
its workbook imports cleanly, and its figures and verdicts are what the samples say."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.writes_import import ImportRun, Writes, results, status_class, workbook
from scoretrack.exchange.services import workbook_import
from scoretrack.training.models import Delivery


@pytest.mark.django_db
def test_its_workbook_of_new_firms_enrolled_with_two_participants_imports_cleanly(
    tmp_path: Path, admin: object
) -> None:
    call_command("generate", enterprises=40, seed=3, verbosity=0)
    deliveries = list(Delivery.objects.order_by("key").values_list("key", "country__code"))
    path = tmp_path / "cohort.zip"
    path.write_bytes(workbook(40, deliveries))
    report = workbook_import(source=path, user=admin, dry_run=True)
    assert report.problems == []
    created = {name: counts.created for name, counts in report.counts.items()}
    # 40 rows: 10 firms, each 1 enterprise + 1 enrolment + 2 participants.
    assert created == {"enterprises": 10, "enrolments": 10, "participants": 20}


def test_statuses_fall_in_the_classes_the_goal_reads() -> None:
    assert [status_class(s) for s in (201, 200, 409, 429, 503, 500, 502, None)] == [
        "2xx",
        "2xx",
        "4xx",
        "4xx",
        "503",
        "other 5xx",
        "other 5xx",
        "no answer",
    ]


def phase(latencies: list[float], statuses: list[int | None], wall: float) -> Writes:
    writes = Writes(wall=wall)
    for latency, status in zip(latencies, statuses, strict=True):
        writes.add(latency, status)
    return writes


def test_the_figures_of_a_phase() -> None:
    # 20 writes of 0.1, 0.2, ... 2.0 s in 10 s, two of them 503 and one no answer.
    writes = phase([n / 10 for n in range(1, 21)], [201] * 17 + [503, 503, None], wall=10.0)
    assert writes.percentile(50) == pytest.approx(1.05)  # between 1.0 and 1.1
    assert writes.percentile(95) == pytest.approx(1.905)  # 1.9 + 0.05 × 0.1
    assert writes.rate() == pytest.approx(1.7)  # 17 answered 2xx in 10 s
    assert writes.counts() == {"2xx": 17, "4xx": 0, "503": 2, "other 5xx": 0, "no answer": 1}


def verdict(database: str, busy_seconds: float, busy_status: int, state: str = "done") -> bool:
    idle = phase([0.05] * 4, [201] * 4, wall=1.0)
    busy = phase([busy_seconds] * 4, [201, 201, 201, busy_status], wall=8.0)
    args = argparse.Namespace(database=database, size=10_000)
    p95, p50, rate = results(args, idle, busy, ImportRun(200_000, state=state))
    answered = 4 if busy_status < 300 else 3
    assert p95.ratio == pytest.approx(busy_seconds / 0.05)
    assert p50.subject.median == pytest.approx(busy_seconds)
    assert (rate.subject.median, rate.reference.median) == (answered / 8.0, 4.0)
    return bool(p95.met)


def test_postgresql_meets_its_goal_under_two_seconds_with_no_5xx_but_503() -> None:
    assert verdict("postgresql", 1.5, 503) is True
    assert verdict("postgresql", 2.5, 201) is False
    assert verdict("postgresql", 0.5, 500) is False
    assert verdict("postgresql", 0.5, 201, state="failed") is False


def test_sqlite_is_judged_on_its_answers_and_its_latency_shown() -> None:
    assert verdict("sqlite", 40.0, 503) is True
    assert verdict("sqlite", 0.5, 500) is False
