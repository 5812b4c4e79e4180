"""Benchmark: `scoretrack export` of a big sheet to CSV, beside a raw cursor -> csv.writer.

Run by the harness as a child process on one generated data set:

    .venv/bin/python -m benchmarks.export_csv --size 100000 --database sqlite

The sheet is `kpi_observations` (about 2 million rows at 100,000 enterprises, the
biggest sheet). Both sides run as their own process, timed from the outside
(start-up included) with their own peak RSS:
- the subject: `scoretrack export FOLDER --sheet kpi_observations`;
- the reference (`--reference`): the exporter's own SQL (same joins, same order)
  on a raw cursor, every row handed to csv.writer as it comes: the floor of a
  CSV export from this database in Python.
Goal: 200,000 rows/s or more.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.common import (
    Measure,
    Result,
    bench_user,
    django_setup,
    emit,
    profile_top,
    run_child,
    say,
)

SHEET = "kpi_observations"
GOAL_ROWS_S = 200_000
PROFILED = 200_000


def exporter_sql() -> tuple[str, tuple]:
    """The SQL of the exporter's query for the sheet, as `sheet_rows` builds it."""
    from scoretrack.exchange.exporter import SOURCES
    from scoretrack.exchange.schema import SHEETS_BY_NAME

    source, sheet = SOURCES[SHEET], SHEETS_BY_NAME[SHEET]
    paths = [source.paths.get(c.name, c.name) for c in sheet.columns if c.type.name != "list"]
    queryset = source.model.objects.visible_to(bench_user()).order_by(*source.order)
    return queryset.values("id", *paths).query.sql_with_params()


def reference(target: Path) -> None:
    """The floor: the same SQL, a server-side cursor where there is one, csv.writer."""
    from django.db import connection

    sql, params = exporter_sql()
    target.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    with (target / f"{SHEET}.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            writer.writerow([column[0] for column in cursor.description])
            while rows := cursor.fetchmany(2000):
                writer.writerows(rows)


def count_rows(folder: Path) -> int:
    with (folder / f"{SHEET}.csv").open("rb") as handle:
        return sum(1 for _ in handle) - 1


def measure(size: int, database: str, runs: int) -> list[Result]:
    from scoretrack.outcomes.models import KpiObservation

    rows = KpiObservation.objects.count()
    bench_user()  # created before the children run, so neither pays for it
    export_s, export_rss, ref_s, ref_rss = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        out = Path(scratch) / "out"
        export = [sys.executable, "-m", "scoretrack.cli", "export", str(out), "--sheet", SHEET]
        export += ["--user", "bench-harness@example.org"]
        ref = [sys.executable, "-m", "benchmarks.export_csv", "--reference", str(out)]
        # Untimed: the reference reads the sheet's rows once, so that every timed run,
        # of either side, finds them in the page cache (the first run otherwise paid
        # for the disk: 188k against 223k and 227k rows/s after it).
        if run_child(ref, os.environ).returncode != 0:
            raise SystemExit(f"{ref} failed")
        for run in range(runs):
            for command, seconds, rss in ((export, export_s, export_rss), (ref, ref_s, ref_rss)):
                shutil.rmtree(out, ignore_errors=True)
                child = run_child(command, os.environ)
                if child.returncode != 0:
                    raise SystemExit(f"{command} failed")
                if run == 0 and count_rows(out) != rows:
                    raise SystemExit(f"{command[3]} wrote {count_rows(out)} rows, not {rows}")
                seconds.append(child.seconds)
                rss.append(child.peak_rss_mb)
        say(f"  {database} {size:,}: export {min(export_s):.1f} s, reference {min(ref_s):.1f} s")
    result = Result(
        "export: CSV",
        database,
        size,
        Measure(f"scoretrack export --sheet {SHEET}", "rows/s", [rows / s for s in export_s]),
        Measure("raw cursor -> csv.writer, same SQL", "rows/s", [rows / s for s in ref_s]),
        goal=f">= {GOAL_ROWS_S:,} rows/s",
        notes=[
            f"{rows:,} rows; wall time of the whole command (start-up included)",
            f"peak RSS: export {max(export_rss):.0f} MB, reference {max(ref_rss):.0f} MB",
        ],
        peak_rss_mb=max(export_rss),
    )
    result.met = result.subject.median >= GOAL_ROWS_S
    if not result.met:
        result.profile = profile_export()
    return [result]


def profile_export() -> str:
    """The exporter's row loop over its first PROFILED rows (the rest is more of the same)."""
    import itertools

    from scoretrack.exchange.exporter import sheet_rows
    from scoretrack.exchange.schema import SHEETS_BY_NAME

    user, sheet = bench_user(), SHEETS_BY_NAME[SHEET]

    def run() -> None:
        with open(os.devnull, "w", newline="") as handle:
            writer = csv.writer(handle)
            for row in itertools.islice(sheet_rows(sheet, user, None), PROFILED):
                writer.writerow(["" if cell is None else cell for cell in row])

    return f"(the first {PROFILED:,} rows of the sheet)\n" + profile_top(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--database", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference", type=Path, help="write the reference CSV to this folder")
    args = parser.parse_args()
    django_setup()
    if args.reference:
        reference(args.reference)
        return
    emit(measure(args.size, args.database, args.runs))


if __name__ == "__main__":
    main()
