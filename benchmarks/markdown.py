"""BENCHMARKS.md from one harness run: the machine, each figure beside its reference,
goals met or MISSED, growth with the data, peak memory, and where the time goes."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import Measure, Result

ORDER = [
    "indicators: country profile",
    "indicators: registry vs hand SQL",
    "indicators: registry vs DuckDB",
    "reports: server time",
    "pages in the browser: largest paint",
    "reports: PDF",
    "admin: lists",
    "export: CSV",
    "api: list",
    "api: detail",
    "api: indicator values",
    "writes: during an import",
    "import: participants CSV",
]
# Goals the issues set at 100,000 enterprises: below that size a figure is shown, not judged
# (at 10,000 the registry's fixed cost, a few milliseconds, outweighs the queries).
JUDGED_FROM = {
    "indicators: country profile": 100_000,
    "indicators: registry vs hand SQL": 100_000,
    "reports: server time": 100_000,
    "pages in the browser: largest paint": 100_000,
    "reports: PDF": 100_000,
    "admin: lists": 100_000,
    "export: CSV": 100_000,  # 2 million rows there; the goal is about a million or more
    "api: list": 100_000,
    "api: detail": 100_000,
}
# How to read a section, where the numbers alone could mislead.
READING = {
    "indicators: country profile": (
        "The per-code times (notes) show where the profile's time goes. The SME codes"
        " count distinct enterprises over the derived attendance rows (one per enterprise"
        " and delivery attended, training/derived.py); smes_more_than_one_module_pct also"
        " groups the trained SMEs' earlier attendances by enterprise."
    ),
    "indicators: registry vs hand SQL": (
        "Both sides issue one query per figure; the registry adds the look-ups of the"
        " country, the phase and the targets and the ORM's query building, a fixed few"
        " milliseconds that dominate at 10,000 and fade at 100,000 (where the goal is set)."
    ),
    "indicators: registry vs DuckDB": (
        "DuckDB runs the hand SQL in memory over the same rows, copied in (every participant"
        " and delivery of every country; ids as text, no indexes), so it scans them all,"
        " while SQLite and PostgreSQL reach the few per cent of one country and phase"
        " through the delivery (country, start_date) index. For one country's figures the"
        " row store's index is at the columnar limit or better; a column store's advantage"
        " would show on whole-programme aggregates."
    ),
    "reports: server time": (
        "Measured: the page computed (`fresh=1`, every figure asked of the registry), through"
        " Django's test client (no network); the programme report computes its heaviest"
        " figures side by side on REPORT_WORKERS (2) connections. Reference: the same page"
        " from the report cache (REPORTS_CACHE_SECONDS). The goal is on the computed page."
    ),
    "pages in the browser: largest paint": (
        "`benchmarks/browser_pages.py`: Debian's Chromium (headless, through Playwright, as"
        " the browser tests launch it) against `make run`'s two processes (`scoretrack"
        " serve`, its default processes, and `scoretrack worker`), logged in as a global"
        " admin. Measured: the largest contentful paint (PerformanceObserver), from the"
        " navigation's start; the notes give the time to first byte (navigation timing)."
        " First the data version is moved on (nothing kept) and the worker's warm-up timed"
        " until it says it is done (reports/warm.py, `is_warm`). Cold: the first load after"
        " a restart of both, once the warm-up has finished (reading back what is kept; a"
        " page outside its plan, such as a year, is computed if no reader kept it); warm:"
        " the same page again; computed, nothing kept: `fresh=1` (no goal). Reference: the"
        " same page computed through the test client (the 'reports: server time' figure),"
        " with the server stopped."
    ),
    "reports: PDF": (
        "`benchmarks/report_pdfs.py`: the report's page built first (untimed), then its PDF"
        " downloaded twice through the test client: the first laid out by WeasyPrint (the"
        " reference), the second read back from the report cache, where it is kept under"
        " the report's key and build time (reports/cache.py, `cached_pdf`)."
    ),
    "admin: lists": (
        "`benchmarks/admin_lists.py`: the admin's big lists as a superuser, through the test"
        " client, opened, filtered, sorted and searched (exact keys). They read on indexes"
        " only (lib/admin.py): newest change first on the sync index, fixed-choice filters,"
        " key searches through the key indexes. Reference, timed turn about: the modules'"
        " admin list (a dozen rows), the cost of an admin page itself at that moment."
    ),
    "export: CSV": (
        "Both sides timed as whole processes, start-up included; the reference runs the"
        " exporter's own SQL (same joins, same order) on a raw cursor into csv.writer,"
        " without the exporter's per-cell formatting and escaping. One untimed run of the"
        " reference first puts the sheet's rows in the page cache for both sides."
    ),
    "api: list": (
        "One load run per data set: `make run`'s server (`scoretrack serve`: gunicorn,"
        " 2 × cores + 1 processes of one thread) on loopback, 16 clients on kept-alive"
        " connections driven by one asyncio loop in the benchmark's process, on the same"
        " cores. Reference: a bare Django view returning a constant (/livez: the server"
        " and the middleware, no query) under the same load. The notes give requests/s"
        " and the API's own floor, its catalogue (token, throttle, JSON; no data query)."
    ),
    "writes: during an import": (
        "On a copy of the data set, `make run`'s server (`scoretrack serve`, its default"
        " processes) and worker (`scoretrack worker`); 4 clients, each on a kept-alive"
        " connection, create an enterprise through the API (POST /api/v1/enterprises) then"
        " change it (PATCH with its version), one request at a time. Reference: the same"
        " writes for 15 s on the idle database. Measured: the same writes from the upload"
        " of a workbook to the end of its commit, imported as a user does it: logged in,"
        " uploaded on /exchange/import/ (the worker checks it), confirmed once checked"
        " (the worker commits it), its page polled each second. The workbook: new firms,"
        " their enrolments in the data set's deliveries and two participants each, a zip"
        " of CSV (BENCH_WRITES_ROWS rows, 200,000 by default). The notes give each status"
        " class (2xx, 4xx, 503, other 5xx, no answer within 180 s) and the import's times."
        " The goal on p95 is PostgreSQL's; on SQLite, whose one writer at a time the"
        " import holds, the figure is shown for what it is."
    ),
    "import: participants CSV": (
        "The exchange engineer's `benchmarks/import_participants.py`, each run on a fresh"
        " copy of its built base (250,000 enterprises, 25,000 deliveries); rows/s as that"
        " script measures it (inside the process), peak RSS of the whole process."
    ),
}
RATIO_GOALS = ("indicators: registry vs hand SQL", "import: participants CSV")
# Medians on a shared machine move by this much from run to run: growth within it of
# linear counts as linear (the table shows the exact factor).
GROWTH_NOISE = 1.2
GROWING = (
    "indicators: country profile",
    "indicators: registry vs hand SQL",
    "reports: server time",
)


@dataclass
class Run:
    sizes: list[int]
    databases: list[str]
    seed: int
    runs: int
    only: set[str]
    results: list[Result] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    started: float = 0.0
    machine: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.started = time.monotonic()
        self.machine = machine()
        self.machine["load average at start (1/5/15 min)"] = load()

    def finish(self) -> None:
        self.machine["load average at end (1/5/15 min)"] = load()
        self.machine["harness wall time"] = f"{time.monotonic() - self.started:.0f} s"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["only"] = sorted(self.only)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Run:
        data = dict(data)
        data["only"] = set(data["only"])
        data["results"] = [Result.from_json(item) for item in data["results"]]
        return cls(**data)

    def judge(self) -> None:
        """Leave unjudged the figures whose goal is set at a larger size."""
        for result in self.results:
            if result.size < JUDGED_FROM.get(result.benchmark, 0):
                result.met = None


def load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def machine() -> dict[str, str]:
    import django

    found = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{cpu_model()}, {os.cpu_count()} cores (shared with other work)",
        "memory": memory(),
        "OS": platform.platform(),
        "Python / Django": f"{platform.python_version()} / {django.get_version()}",
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(),
        "DuckDB": duckdb_version(),
    }
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "unknown"


def postgres_version() -> str:
    from benchmarks.datasets import psql

    try:
        return psql("SHOW server_version")
    except Exception:  # no server: the report says so instead of failing
        return "not reachable"


def duckdb_version() -> str:
    try:
        import duckdb
    except ImportError:
        return "not installed"
    return duckdb.__version__


# --- formatting -----------------------------------------------------------------------


def value(number: float, unit: str) -> str:
    if unit == "s":
        if number < 0.01:
            return f"{number * 1000:.1f} ms"
        return f"{number * 1000:.0f} ms" if number < 1 else f"{number:.2f} s"
    if unit == "rows/s":
        return f"{number:,.0f} rows/s"
    if unit == "writes/s":  # a busy SQLite answers a fraction of one a second
        return f"{number:,.1f} writes/s"
    return f"{number:,.0f} {unit}"


def spread(measure: Measure) -> str:
    low, high = value(measure.low, measure.unit), value(measure.high, measure.unit)
    return f"**{value(measure.median, measure.unit)}** ({low} – {high}, n={len(measure.samples)})"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**MISSED**", None: "—"}[met]


def ratio(result: Result) -> str:
    return f"{result.ratio:.2f}x" if result.ratio is not None else "—"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [*lines, ""]


# --- sections ----------------------------------------------------------------------------


def header(run: Run) -> list[str]:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/harness.py`) down to the line that says where",
        "the hand-written sections start: do not edit above it by hand, re-run it. Below it,",
        "records of partial runs (a branch's before and after), which `make bench` keeps.",
        "Every figure is the **median** of several runs with (min – max); beside it, its",
        "reference measured in the same run on the same data, and the ratio of the medians",
        "(time: how many times the reference's; rate: the fraction of the reference's rate).",
        "The machine is shared: absolute times move with other work, the ratios much less.",
        "",
        "## Machine",
        "",
    ]
    lines += table(["", ""], [[key, text] for key, text in run.machine.items()])
    sizes = ", ".join(f"{size:,}" for size in run.sizes)
    lines += [
        f"Data sets: `scoretrack generate --enterprises N --seed {run.seed}` for N = {sizes},",
        f"on {' and '.join(run.databases)}; {run.runs} timed runs per figure after a warm-up",
        "run unless a table says otherwise.",
        "",
    ]
    return lines


def goals(run: Run) -> list[str]:
    rows = []
    for result in sorted_results(run.results):
        if result.met is None:
            continue
        shown = result.subject
        measured = value(shown.median, shown.unit)
        if result.benchmark in RATIO_GOALS:
            measured += f", {ratio(result)} of the reference"
        rows.append(
            [
                result.benchmark + ": " + shown.label,
                result.database,
                f"{result.size:,}",
                result.goal,
                measured,
                verdict(result.met),
            ]
        )
    rows += growth_rows(run)
    lines = ["## Goals", ""]
    return lines + table(["figure", "database", "size", "goal", "measured (median)", ""], rows)


def sorted_results(results: list[Result]) -> list[Result]:
    def key(result: Result) -> tuple[int, str, int]:
        rank = ORDER.index(result.benchmark) if result.benchmark in ORDER else len(ORDER)
        return rank, result.database, result.size

    return sorted(results, key=key)


def sections(run: Run) -> list[str]:
    grouped: dict[str, list[Result]] = defaultdict(list)
    for result in sorted_results(run.results):
        grouped[result.benchmark].append(result)
    lines: list[str] = []
    for name, results in grouped.items():
        lines += [f"## {name[0].upper()}{name[1:]}", ""]
        lines += [f"Goal: {results[0].goal}.", ""] if results[0].goal else []
        lines += [READING[name], ""] if name in READING else []
        rows = [
            [
                r.database,
                f"{r.size:,}",
                r.subject.label,
                spread(r.subject),
                r.reference.label if r.reference else "",
                spread(r.reference) if r.reference else "",
                ratio(r),
                verdict(r.met),
            ]
            for r in results
        ]
        lines += table(
            [
                "database",
                "size",
                "measured",
                "median (min – max)",
                "reference",
                "median (min – max)",
                "ratio",
                "goal",
            ],
            rows,
        )
        notes = list(
            dict.fromkeys(
                f"- {r.database}, {r.size:,}: {note}" for r in results for note in r.notes
            )
        )
        lines += [*notes, ""] if notes else []
    return lines


def growth_rows(run: Run) -> list[list[str]]:
    """Cost growth from the smallest to the largest size, per figure and database."""
    if len(run.sizes) < 2:
        return []
    small, large = run.sizes[0], run.sizes[-1]
    by_key: dict[tuple[str, str, str], dict[int, Result]] = defaultdict(dict)
    for result in run.results:
        if result.benchmark in GROWING:
            by_key[(result.benchmark, result.database, result.subject.label)][result.size] = result
    rows = []
    for (name, database, label), per_size in sorted(by_key.items()):
        if small not in per_size or large not in per_size:
            continue
        before, after = per_size[small], per_size[large]
        factor = after.subject.median / before.subject.median
        data = large / small
        measured = f"{factor:.1f}x for {data:g}x the data"
        if before.reference and after.reference and name in RATIO_GOALS:
            grown = after.reference.median / before.reference.median
            measured += f" (its reference: {grown:.1f}x)"
        rows.append(
            [
                f"growth of {name}: {label}",
                database,
                f"{small:,} → {large:,}",
                f"no worse than linear (≤ {data:g}x, +{GROWTH_NOISE - 1:.0%} for noise)",
                measured,
                verdict(factor <= data * GROWTH_NOISE),
            ]
        )
    return rows


def growth(run: Run) -> list[str]:
    rows = growth_rows(run)
    if not rows:
        return []
    lines = ["## Growth with the data", ""]
    return lines + table(["figure", "database", "sizes", "goal", "growth of the median", ""], rows)


MEMORY_LABELS = {
    "indicators": "country profile benchmark process (registry, hand SQL, DuckDB load)",
    "reports": "report pages, server side (Django test client)",
    "export": "`scoretrack export` of the kpi_observations sheet to CSV",
    "import": "`workbook_import` of the participants CSV",
    "api": "API load client (the server is its own process)",
    "writes": "API writes client and the uploading user (server and worker: own processes)",
}


def memory_section(run: Run) -> list[str]:
    """One peak per process: results measured in the same process share it."""
    largest = run.sizes[-1] if run.sizes else 0
    peaks: dict[tuple[str, str, int], float] = {}
    for result in sorted_results(run.results):
        family = result.benchmark.split(":")[0]
        if result.peak_rss_mb is None or (family != "import" and result.size != largest):
            continue
        key = (family, result.database, result.size)
        peaks[key] = max(peaks.get(key, 0.0), result.peak_rss_mb)
    if not peaks:
        return []
    rows = [
        [MEMORY_LABELS.get(family, family), database, f"{size:,}", f"{peak:,.0f} MB"]
        for (family, database, size), peak in peaks.items()
    ]
    lines = [
        "## Peak memory",
        "",
        "Peak RSS of the process doing the work (from `wait4`), at the largest size (the import:",
        "at its row count). Goal: import < 300 MB; the others have none, they are shown to watch.",
        "",
    ]
    return lines + table(["process", "database", "size", "peak RSS"], rows)


def profiles(run: Run) -> list[str]:
    found = [r for r in sorted_results(run.results) if r.profile and r.met is False]
    if not found:
        return []
    lines = ["## Where the time goes (goals missed)", ""]
    for result in found:
        lines += [
            f"### {result.benchmark}, {result.database}, {result.size:,}: {result.subject.label}",
            "",
            "cProfile of one run, top entries by cumulative time:",
            "",
            "```",
            result.profile,
            "```",
            "",
        ]
    return lines


def tail(run: Run) -> list[str]:
    lines = []
    if run.skipped:
        skipped = dict.fromkeys(run.skipped)  # said once per data set, shown once
        lines += ["## Not run", "", *[f"- {text}" for text in skipped], ""]
    if run.failures:
        lines += ["## Failed", "", *[f"- {text}" for text in run.failures], ""]
    return lines


# Where BENCHMARKS.md's hand-written sections start: records of partial runs made by
# hand (a branch's before and after, a scratch measurement), which `make bench` keeps.
KEPT = "<!-- Hand-written sections below: `make bench` keeps them. -->"


def write_report(run: Run, out: Path) -> None:
    """The run's report written to `out`, followed by the hand-written sections `out`
    has below its `KEPT` line."""
    run.judge()
    lines = header(run) + goals(run) + sections(run) + growth(run) + memory_section(run)
    lines += profiles(run) + tail(run)
    kept = [KEPT]
    if out.exists():
        old = out.read_text()
        if KEPT in old:
            kept = [old[old.index(KEPT) :].rstrip()]
    out.write_text("\n".join(lines).rstrip() + "\n\n" + "\n".join(kept) + "\n")
