"""`make bench`: every benchmark in benchmarks/, on every data set; results in BENCHMARKS.md.

    .venv/bin/python -m benchmarks.harness          # what `make bench` runs
    .venv/bin/python -m benchmarks.harness --from-json   # BENCHMARKS.md again, from results.json

Environment (all optional):
    BENCH_SIZES=10000,100000        enterprises per generated data set
    BENCH_DATABASES=sqlite,postgresql
    BENCH_SEED=1                    with the size, the key of a kept data set
    BENCH_RUNS=5                    timed runs per figure (median, min, max)
    BENCH_ONLY=indicators,reports,export,api,writes,admin,pdf,browser,import   a subset
    BENCH_REPORT_RUNS, BENCH_EXPORT_RUNS   default: BENCH_RUNS, at most 3
    BENCH_BROWSER_RUNS              default: BENCH_RUNS, at most 3 (a server start each)
    BENCH_IMPORT_ROWS=1000000       BENCH_IMPORT_RUNS=3
    BENCH_WRITES_ROWS=200000        the workbook imported while the API writes
    BENCH_COUNTRY=ID                the country of the profile and report pages
    BENCH_DIR=/tmp/bench-data       where data sets are kept between runs
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432   the server (databases bench_*)
    BENCH_OUT=BENCHMARKS.md

Machines are shared and noisy, so every figure is the median of several runs
beside a reference measured in the same run, and the ratio is what to read.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from benchmarks import import_runs
from benchmarks.common import ROOT, run_child, say
from benchmarks.datasets import Dataset, bench_dir, pg_available
from benchmarks.markdown import Run, write_report

# The JSON API's load benchmark (issue 7): `python -m benchmarks.api_load --size N
# --database D` with the data set's environment (DATABASE_URL / SCORETRACK_DATA_DIR),
# like every per-data-set benchmark. It starts `make run`'s server on that database
# (`scoretrack serve`, its default processes and threads), drives 16 concurrent
# clients at the list, detail and indicator-values endpoints and at a bare Django
# view returning a constant (/livez, the reference), and prints its figures with
# `benchmarks.common.emit`.
API_MODULE = ROOT / "benchmarks" / "api_load.py"
REPORTS_MODULE = ROOT / "benchmarks" / "reports.py"
# API writes during a user's import (`benchmarks/writes_import.py`): on a copy of the
# data set, `make run`'s server and worker; the same writes idle are the reference.


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        return int(value.replace("_", ""))
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


def child_benchmarks(run: Run) -> list[tuple[str, str, list[str]]]:
    """(key, module, extra arguments) of the per-data-set benchmarks that exist."""
    country = ["--country", os.environ.get("BENCH_COUNTRY", "ID")]
    # Reports and exports at 100,000 enterprises take tens of seconds a run: fewer runs.
    export_runs = ["--runs", str(env_int("BENCH_EXPORT_RUNS", min(run.runs, 3)))]
    report_runs = ["--runs", str(env_int("BENCH_REPORT_RUNS", min(run.runs, 3)))]
    found = [
        ("indicators", "benchmarks.indicators_profile", country),
        ("export", "benchmarks.export_csv", export_runs),
    ]
    if REPORTS_MODULE.exists():
        found.insert(1, ("reports", "benchmarks.report_pages", [*country, *report_runs]))
    else:
        run.skipped.append("reports: benchmarks/reports.py is not there yet")
    if API_MODULE.exists():
        found.append(("api", "benchmarks.api_load", []))
    else:
        run.skipped.append("api: API benchmark not available yet (benchmarks/api_load.py)")
    writes_rows = ["--rows", str(env_int("BENCH_WRITES_ROWS", 200_000))]
    found.append(("writes", "benchmarks.writes_import", writes_rows))
    # Speed as a person feels it (issue 21): the admin's big lists, kept PDFs, and the
    # report pages in Chromium against `scoretrack serve`.
    browser_runs = ["--runs", str(env_int("BENCH_BROWSER_RUNS", min(run.runs, 3)))]
    found.append(("admin", "benchmarks.admin_lists", []))
    found.append(("pdf", "benchmarks.report_pdfs", [*country, *report_runs]))
    found.append(("browser", "benchmarks.browser_pages", [*country, *browser_runs]))
    return [item for item in found if item[0] in run.only]


def run_dataset(run: Run, dataset: Dataset) -> None:
    dataset.ensure()
    for key, module, extra in child_benchmarks(run):
        say(f"{key} on {dataset.database}, {dataset.size:,} enterprises")
        command = [sys.executable, "-m", module, "--size", str(dataset.size)]
        command += ["--database", dataset.database, *extra]
        if "--runs" not in extra:
            command += ["--runs", str(run.runs)]
        child = run_child(command, dataset.env())
        if child.returncode != 0:
            run.failures.append(
                f"{key} on {dataset.database} {dataset.size:,}: exit {child.returncode}"
            )
            continue
        results = child.results()
        for result in results:
            if result.peak_rss_mb is None:
                result.peak_rss_mb = child.peak_rss_mb
        run.results.extend(results)
        save(run)  # after every benchmark: a stopped run still leaves its figures


def run_imports(run: Run) -> None:
    rows = env_int("BENCH_IMPORT_ROWS", 1_000_000)
    runs = env_int("BENCH_IMPORT_RUNS", 3)
    for database in run.databases:
        say(f"import of {rows:,} participant rows on {database}")
        try:
            run.results.extend(import_runs.measure(database, rows, runs))
        except RuntimeError as exc:
            run.failures.append(f"import on {database}: {exc}")
        save(run)


def out_path() -> Path:
    return Path(os.environ.get("BENCH_OUT", str(ROOT / "BENCHMARKS.md")))


def save(run: Run) -> None:
    """BENCHMARKS.md and the raw results (BENCH_DIR/results.json) as they stand."""
    (bench_dir() / "results.json").write_text(json.dumps(run.as_json(), indent=1))
    write_report(run, out_path())


def rewrite() -> None:
    """`--from-json`: BENCHMARKS.md again from the last run's raw results."""
    run = Run.from_json(json.loads((bench_dir() / "results.json").read_text()))
    write_report(run, out_path())
    say(f"wrote {out_path()} from {bench_dir() / 'results.json'}")


def main() -> None:
    if sys.argv[1:] == ["--from-json"]:
        rewrite()
        return
    try:
        sizes = sorted(int(s.replace("_", "")) for s in env_list("BENCH_SIZES", "10000,100000"))
    except ValueError:
        raise SystemExit("BENCH_SIZES must be whole numbers, e.g. 10000,100000") from None
    databases = env_list("BENCH_DATABASES", "sqlite,postgresql")
    run = Run(
        sizes=sizes,
        databases=databases,
        seed=env_int("BENCH_SEED", 1),
        runs=env_int("BENCH_RUNS", 5),
        only=set(
            env_list("BENCH_ONLY", "indicators,reports,export,api,writes,admin,pdf,browser,import")
        ),
    )
    if "postgresql" in databases and not pg_available():
        run.databases.remove("postgresql")
        run.skipped.append("postgresql: no server at BENCH_PG_URL")
    run.start()
    bench_dir().mkdir(parents=True, exist_ok=True)
    for size in sizes:  # the small size first: a broken benchmark shows early
        for database in run.databases:
            run_dataset(run, Dataset(database, size, run.seed))
    if "import" in run.only:
        run_imports(run)
    run.finish()
    save(run)
    say(f"wrote {out_path()} in {time.monotonic() - run.started:.0f} s")
    for line in run.failures:
        say(f"FAILED: {line}")


if __name__ == "__main__":
    main()
