"""Smoke test of the benchmark harness (`make bench`): its pieces run on a tiny data set.

The benchmarks themselves are not timed tests; this only keeps the harness
importable and its hand-written SQL honest (the same numbers as the registry).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.common import Measure, Result
from benchmarks.indicators_profile import THREE, hand_sql_runner, registry_runner
from benchmarks.markdown import Run, write_report


@pytest.mark.django_db
def test_the_hand_written_sql_gives_the_registrys_figures() -> None:
    from benchmarks.common import bench_user

    call_command("generate", enterprises=40, seed=3, verbosity=0)
    registry = registry_runner(bench_user(), THREE, "ID", by_module=False)()
    hand = hand_sql_runner("ID")()
    assert registry["smes_trained"] > 0
    assert hand["smes_trained"] == registry["smes_trained"]
    for code in ("staff_trained_women_pct", "satisfaction_good_pct"):
        assert hand[code] == pytest.approx(registry[code])


def test_the_report_says_missed_goals_plainly_and_shows_growth(tmp_path: Path) -> None:
    run = Run(sizes=[10_000, 100_000], databases=["sqlite"], seed=1, runs=3, only={"indicators"})
    run.machine = {"CPU": "test"}
    for size, seconds in ((10_000, 0.1), (100_000, 2.0)):
        run.results.append(
            Result(
                "indicators: registry vs hand SQL",
                "sqlite",
                size,
                Measure("registry", "s", [seconds, seconds * 1.1, seconds * 0.9]),
                Measure("hand SQL", "s", [seconds / 2] * 3),
                goal="registry within 1.5x of hand SQL",
                met=False,
                profile="where it went",
            )
        )
    out = tmp_path / "BENCHMARKS.md"
    write_report(run, out)
    text = out.read_text()
    assert "**MISSED**" in text
    assert "2.00x" in text  # registry / hand SQL, medians
    assert "20.0x for 10x the data" in text  # growth 0.1 s -> 2 s
    assert "where it went" in text


def test_a_new_report_keeps_the_hand_written_sections_below_their_line(tmp_path: Path) -> None:
    from benchmarks.markdown import KEPT

    run = Run(sizes=[10_000], databases=["sqlite"], seed=1, runs=3, only={"indicators"})
    run.machine = {"CPU": "new"}
    out = tmp_path / "BENCHMARKS.md"
    out.write_text(f"# Benchmarks\n\nold generated part\n\n{KEPT}\n\n## Branch x\n\nby hand\n")
    write_report(run, out)
    text = out.read_text()
    assert "old generated part" not in text
    assert "| CPU | new |" in text
    assert text.endswith(f"{KEPT}\n\n## Branch x\n\nby hand\n")
    write_report(run, out)  # again: the same, the hand-written part once
    assert out.read_text() == text
    fresh = tmp_path / "NEW.md"
    write_report(run, fresh)  # a first report: the line, nothing below it
    assert fresh.read_text().endswith(f"\n\n{KEPT}\n")
