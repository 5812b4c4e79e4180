"""The harness's side of `benchmarks/import_participants.py` (issue 3).

That script (the exchange engineer's) builds a scratch database with the
deliveries and enterprises the rows refer to plus a CSV of N participant rows
(`--mode build`), and measures one side per process: `--mode import`
(`workbook_import`) or `--mode plain` (csv.reader + bulk_create, no checks, no
history). Here each run gets a fresh copy of the built database (a copied data
folder on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL), so every run
inserts into the same starting state; the built base is kept between runs of
the harness, keyed by row count.

Goal: the import reaches at least 0.8x the plain insert's rows/s (issue 21, with
the key look-ups served by an index; 0.5x before), with peak RSS under 300 MB.
"""

from __future__ import annotations

import os
import pstats
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import ROOT, Measure, Result, run_child, say, top_entries
from benchmarks.datasets import SCORETRACK, Dataset, bench_dir, pg_server, psql

SCRIPT = str(ROOT / "benchmarks" / "import_participants.py")
LINE = re.compile(r"([\d,]+) rows in\s+([\d.]+) s = \s*([\d,]+) rows/s, peak RSS ([\d,]+) MB")
CPU = re.compile(r"CPU ([\d.]+) s")
RSS_GOAL_MB = 300
RATE_GOAL = 0.8
PROFILED = 100_000  # rows of the import profiled when the goal is missed


def base_dir(database: str, rows: int) -> Path:
    return bench_dir() / f"import-{database}-{rows}"


def base_db(rows: int) -> str:
    return f"{_prefix()}_import_{rows}"


def _prefix() -> str:
    # BENCH_PG_PREFIX keeps one engineer's scratch databases apart from another's.
    return os.environ.get("BENCH_PG_PREFIX", "bench")


def env_for(database: str, data_dir: Path, db_name: str | None) -> dict[str, str]:
    # A scratch data set for the script: never the harness's DATABASE_URL/data folder.
    env = Dataset("sqlite", 0, 0).env()
    env["SCORETRACK_DATA_DIR"] = str(data_dir)
    if db_name:
        env["BENCH_IMPORT_DATABASE_URL"] = f"{pg_server()}/{db_name}"
    return env


def build(database: str, rows: int) -> Path:
    """The base: a database with the referenced records, and the CSV (kept, keyed by rows)."""
    folder = base_dir(database, rows)
    marker = folder / ".complete"
    if marker.exists():
        say(f"reusing the {rows:,}-row import base on {database}")
        # Migrations added since it was built (a new tally the import's refresh writes).
        env = env_for(database, folder, None)
        if database == "postgresql":
            env["DATABASE_URL"] = f"{pg_server()}/{base_db(rows)}"
        subprocess.run([SCORETRACK, "migrate", "--noinput", "-v0"], env=env, check=True)
        return folder
    say(f"building the {rows:,}-row import base on {database}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db_name = None
    if database == "postgresql":
        db_name = base_db(rows)
        psql(f'DROP DATABASE IF EXISTS "{db_name}"')
        psql(f'CREATE DATABASE "{db_name}"')
    command = [sys.executable, SCRIPT, "--mode", "build", "--rows", str(rows)]
    command += ["--data-dir", str(folder), "--source", "-"]
    child = run_child(command, env_for(database, folder, db_name))
    if child.returncode != 0:
        raise RuntimeError("building the import base failed")
    marker.write_text("built\n")
    return folder


def one_run(
    database: str, rows: int, mode: str, *, profile: Path | None = None
) -> tuple[float, float, float]:
    """rows/s, peak RSS (MB) and CPU seconds of one side, on a fresh copy of the base
    (with `profile`, under cProfile, its stats written there)."""
    base = base_dir(database, rows)
    with fresh_copy(database, rows) as (scratch, db_name):
        python = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else [])]
        command = [*python, SCRIPT, "--mode", mode, "--data-dir", str(scratch)]
        child = run_child(
            [*command, "--source", str(base / "book")], env_for(database, scratch, db_name)
        )
        found = LINE.search(child.stdout)
        if child.returncode != 0 or not found:
            raise RuntimeError(f"import benchmark ({mode}) failed: {child.stdout[-500:]}")
        cpu = CPU.search(child.stdout)
        rate = float(found.group(3).replace(",", ""))
        return rate, child.peak_rss_mb, float(cpu.group(1)) if cpu else float("nan")


@contextmanager
def fresh_copy(database: str, rows: int, name: str = "run") -> Iterator[tuple[Path, str | None]]:
    """A fresh copy of the base for one run: its data folder and (PostgreSQL) its
    database, dropped after the block."""
    base = base_dir(database, rows)
    scratch = bench_dir() / f"import-{database}-{name}"
    shutil.rmtree(scratch, ignore_errors=True)
    db_name = None
    if database == "sqlite":
        shutil.copytree(base, scratch, ignore=shutil.ignore_patterns("book", ".complete"))
    else:
        scratch.mkdir(parents=True)
        db_name = f"{_prefix()}_import_{name}"
        psql(f'DROP DATABASE IF EXISTS "{db_name}"')
        psql(f'CREATE DATABASE "{db_name}" TEMPLATE "{base_db(rows)}"')
    try:
        yield scratch, db_name
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if db_name:
            psql(f'DROP DATABASE IF EXISTS "{db_name}"')


def measure(database: str, rows: int, runs: int) -> list[Result]:
    build(database, rows)
    rates: dict[str, list[float]] = {"import": [], "plain": []}
    peaks: dict[str, list[float]] = {"import": [], "plain": []}
    cpus: dict[str, list[float]] = {"import": [], "plain": []}
    for _ in range(runs):
        for mode in ("import", "plain"):
            rate, peak, cpu = one_run(database, rows, mode)
            say(
                f"  {database}: {mode} {rows:,} rows at {rate:,.0f} rows/s, peak {peak:.0f} MB,"
                f" CPU {cpu:.1f} s"
            )
            rates[mode].append(rate)
            peaks[mode].append(peak)
            cpus[mode].append(cpu)
    peak = max(peaks["import"])
    result = Result(
        "import: participants CSV",
        database,
        rows,
        Measure(
            "scoretrack workbook_import (check, resolve, match, insert + history)",
            "rows/s",
            rates["import"],
        ),
        Measure(
            "plain bulk_create of the same rows (no checks, no history)", "rows/s", rates["plain"]
        ),
        goal=f">= {RATE_GOAL:g}x the plain insert's rows/s, peak RSS < {RSS_GOAL_MB} MB",
        notes=[
            f"{rows:,} participant rows; size column = rows imported",
            f"peak RSS: import {peak:.0f} MB, plain insert {max(peaks['plain']):.0f} MB",
            "CPU s of the process (the database's work included on SQLite): import "
            + ", ".join(f"{c:.1f}" for c in cpus["import"])
            + "; plain insert "
            + ", ".join(f"{c:.1f}" for c in cpus["plain"]),
        ],
        peak_rss_mb=peak,
    )
    result.met = (result.ratio or 0) >= RATE_GOAL and peak < RSS_GOAL_MB
    if not result.met:
        result.profile = profile_import(database, min(rows, PROFILED))
    return [result]


def profile_import(database: str, rows: int) -> str:
    """Where the import's time goes, on a smaller base of the same shape."""
    build(database, rows)
    stats_file = bench_dir() / f"import-{database}.prof"
    one_run(database, rows, "import", profile=stats_file)
    stats = pstats.Stats(str(stats_file))
    return f"(an import of {rows:,} rows of the same shape)\n" + top_entries(
        stats, 30, "scoretrack/|csv|sqlite3|psycopg"
    )
