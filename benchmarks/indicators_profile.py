"""Benchmark: a full country profile through the indicator registry (issue 4).

Run by the harness as a child process, on the database its environment names
(`DATABASE_URL`, or SQLite in `SCORETRACK_DATA_DIR`):

    .venv/bin/python -m benchmarks.indicators_profile --size 10000 --database sqlite

It times, for one country and phase II:
- the whole profile: the codes of the report's "Phase II training activities" box
  plus SMEs trained by module, through `registry.evaluate` (goal: under 1 s);
- three of those figures through the registry, beside hand-written SQL for the
  same three (goal: the registry within 1.5x) and beside DuckDB computing them
  over the same rows copied into it (the columnar limit; load time not counted).
The hand SQL's and DuckDB's numbers are checked against the registry's.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Measure,
    Result,
    bench_user,
    django_setup,
    emit,
    interleaved,
    profile_top,
    say,
)
from benchmarks.common import timed as timed_runs

BOX_CODES = [
    "smes_trained",
    "smes_women_owned_pct",
    "smes_more_than_one_module_pct",
    "staff_trained",
    "staff_trained_workers_pct",
    "staff_trained_women_pct",
    "trainers_trained",
    "trainers_trained_women_pct",
    "trainers_certified",
    "trainers_certified_women_pct",
    "satisfaction_good_pct",
]
THREE = ["smes_trained", "staff_trained_women_pct", "satisfaction_good_pct"]
PROFILE_GOAL_S = 1.0
HAND_SQL_GOAL = 1.5

# The rows the three figures count: participations in deliveries of the country
# starting in the phase. Written for both SQLite and PostgreSQL (and DuckDB).
PARTICIPATIONS = """
    FROM training_participant p
    JOIN training_delivery d ON d.id = p.delivery_id
    JOIN reference_countryprogramme c ON c.id = d.country_id
    JOIN reference_phase ph ON ph.name = {phase}
    WHERE c.code = {country} AND d.start_date BETWEEN ph.start_date AND ph.end_date
"""
HAND_SQL = {
    "smes_trained": "SELECT COUNT(DISTINCT p.enterprise_id), NULL" + PARTICIPATIONS,
    "staff_trained_women_pct": (
        "SELECT SUM(CASE WHEN p.sex = 'female' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN p.sex IN ('female', 'male') THEN 1 ELSE 0 END)" + PARTICIPATIONS
    ),
    "satisfaction_good_pct": (
        "SELECT SUM(CASE WHEN p.satisfaction >= 4 THEN 1 ELSE 0 END), COUNT(p.satisfaction)"
        + PARTICIPATIONS
    ),
}


def figure(code: str, part: Any, whole: Any) -> float | int | None:
    """The figure from the hand query's two columns, as the registry defines it."""
    if code == "smes_trained":
        return int(part or 0)
    return float(part) * 100 / float(whole) if whole else None


# --- the three ways ---------------------------------------------------------------------


def registry_runner(user: Any, codes: list[str], country: str, *, by_module: bool) -> Callable:
    from scoretrack.indicators.registry import Request, evaluate

    def run() -> dict[str, Any]:
        values = {}
        if codes:
            values = evaluate(user, Request(codes=codes, country=country, phase="II"))["values"]
        if by_module:
            request = Request(codes=["smes_trained"], country=country, phase="II", by="module")
            values["smes_trained_by_module"] = evaluate(user, request)["values"]["smes_trained"]
        return values

    return run


def hand_sql_runner(country: str) -> Callable[[], dict[str, Any]]:
    from django.db import connection

    queries = {code: sql.format(phase="%s", country="%s") for code, sql in HAND_SQL.items()}

    def run() -> dict[str, Any]:
        values = {}
        with connection.cursor() as cursor:
            for code, sql in queries.items():
                cursor.execute(sql, ["II", country])
                values[code] = figure(code, *cursor.fetchone())
        return values

    return run


def duckdb_runner(country: str, folder: Path) -> tuple[Callable[[], dict[str, Any]], float]:
    """DuckDB over the same tables (the columns the figures read), loaded through CSV
    because the sqlite/postgres scanners are extensions that cannot be fetched offline."""
    import duckdb

    started = time.perf_counter()
    db = duckdb.connect()
    for table, columns in COPIED.items():
        path = folder / f"{table}.csv"
        copy_table(table, columns, path)
        db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header=true)", [str(path)])
    loaded = time.perf_counter() - started
    queries = {code: sql.format(phase="?", country="?") for code, sql in HAND_SQL.items()}

    def run() -> dict[str, Any]:
        values = {}
        for code, sql in queries.items():
            values[code] = figure(code, *db.execute(sql, ["II", country]).fetchone())
        return values

    return run, loaded


COPIED = {
    "training_participant": ["id", "delivery_id", "enterprise_id", "sex", "satisfaction"],
    "training_delivery": ["id", "country_id", "start_date"],
    "reference_countryprogramme": ["id", "code"],
    "reference_phase": ["id", "name", "start_date", "end_date"],
}


def copy_table(table: str, columns: list[str], path: Path) -> None:
    from django.db import connection

    with connection.cursor() as cursor, path.open("w", newline="") as handle:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
        writer = csv.writer(handle)
        writer.writerow(columns)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(rows)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9)
    return a == b


def check(label: str, got: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    wrong = [code for code in THREE if not same(got[code], expected[code])]
    if wrong:
        return [f"{label} DISAGREES with the registry on {', '.join(wrong)}: {got} vs {expected}"]
    return [f"{label} gives the registry's numbers ({', '.join(THREE)})"]


# --- the benchmark ------------------------------------------------------------------------


def measure(size: int, database: str, country: str, runs: int) -> list[Result]:
    user = bench_user()
    profile = registry_runner(user, BOX_CODES, country, by_module=True)
    say(f"  {database} {size:,}: registry, whole profile")
    profile_s, values = timed_runs(profile, runs)
    three = registry_runner(user, THREE, country, by_module=False)
    with tempfile.TemporaryDirectory(prefix="bench-duckdb-") as folder:
        duck, loaded = duckdb_runner(country, Path(folder))
        say(f"  {database} {size:,}: registry, hand SQL and DuckDB, taking turns")
        ways = interleaved(
            {"registry": three, "hand": hand_sql_runner(country), "duck": duck}, runs
        )
    (three_s, registry_values), (hand_s, hand_values), (duck_s, duck_values) = ways.values()
    per_code = code_times(user, country)
    where = "; ".join(f"{code} {ms:.0f} ms" for code, ms in per_code)
    whole = Result(
        "indicators: country profile",
        database,
        size,
        Measure(f"registry: {len(BOX_CODES)} box codes + smes_trained by module", "s", profile_s),
        goal=f"< {PROFILE_GOAL_S:g} s at 100,000 enterprises",
        met=statistics.median(profile_s) < PROFILE_GOAL_S if size >= 100_000 else None,
        notes=[f"country {country}, phase II; values: {compact(values)}", f"per code: {where}"],
    )
    vs_hand = Result(
        "indicators: registry vs hand SQL",
        database,
        size,
        Measure("registry: " + ", ".join(THREE), "s", three_s),
        Measure("hand-written SQL, one query per figure", "s", hand_s),
        goal=f"registry within {HAND_SQL_GOAL:g}x of hand SQL",
        notes=check("hand SQL", hand_values, registry_values),
    )
    vs_hand.met = (vs_hand.ratio or 0) <= HAND_SQL_GOAL
    vs_duck = Result(
        "indicators: registry vs DuckDB",
        database,
        size,
        Measure("registry: " + ", ".join(THREE), "s", three_s),
        Measure("DuckDB (in memory, same rows, same SQL)", "s", duck_s),
        goal="(reference only: the columnar limit)",
        notes=[
            *check("DuckDB", duck_values, registry_values),
            f"DuckDB load of the rows (CSV out of {database}, read_csv): {loaded:.1f} s, not timed",
        ],
    )
    if whole.met is False:
        whole.profile = profile_top(profile)
    if vs_hand.met is False:
        vs_hand.profile = "\n\n".join(
            [query_times(three), hand_query_times(country), profile_top(three)]
        )
    return [whole, vs_hand, vs_duck]


def query_times(run: Callable[[], Any]) -> str:
    """The registry's queries for the three figures, each with its time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        started = time.perf_counter()
        run()
        total = time.perf_counter() - started
    in_sql = sum(float(query["time"]) for query in seen.captured_queries)
    lines = [
        f"{len(seen)} queries, {in_sql * 1000:.0f} ms in the database of {total * 1000:.0f} ms:"
    ]
    lines += [f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:160]}" for q in seen.captured_queries]
    return "\n".join(lines)


def hand_query_times(country: str) -> str:
    from django.db import connection

    lines = ["hand SQL, the same figures:"]
    with connection.cursor() as cursor:
        for code, sql in HAND_SQL.items():
            started = time.perf_counter()
            cursor.execute(sql.format(phase="%s", country="%s"), ["II", country])
            cursor.fetchone()
            lines.append(f"{(time.perf_counter() - started) * 1000:7.1f} ms  {code}")
    return "\n".join(lines)


def code_times(user: Any, country: str) -> list[tuple[str, float]]:
    """Milliseconds of each code alone: where the profile's time goes."""
    found = []
    for code in BOX_CODES:
        samples, _ = timed_runs(registry_runner(user, [code], country, by_module=False), 3)
        found.append((code, min(samples) * 1000))
    samples, _ = timed_runs(registry_runner(user, [], country, by_module=True), 3)
    found.append(("smes_trained by module", min(samples) * 1000))
    return sorted(found, key=lambda pair: -pair[1])


def compact(values: dict[str, Any]) -> str:
    def show(value: Any) -> str:
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    return ", ".join(
        f"{code}={show(value)}" for code, value in values.items() if not isinstance(value, dict)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--country", default="ID")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    emit(measure(args.size, args.database, args.country, args.runs))


if __name__ == "__main__":
    main()
