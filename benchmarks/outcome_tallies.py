"""Benchmark: the KPI and module figures from their tallies against the rows.

Not part of the test suite. On a data set made by `scoretrack generate` and
migrated to this branch (never a shared one: the bench users are created, the
data version bumped):

    SCORETRACK_DATA_DIR=DIR .venv/bin/python -m benchmarks.outcome_tallies
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.outcome_tallies
        [--pages [--admin] [--runs N]]

For a few requests as the bench admin, the registry's answer read from the KPI
tally and the module tally (indicators/tallies.py) and from the rows (the two
tallies set aside: `kpi_rows` and `module_rows` answer None), median of 3 each,
and whether both give the same values. With --pages, every report page of
`benchmarks.reports.PAGES` (admin and donor) computed once each way (`fresh=1`,
the data version bumped first), timed, and their HTML compared (the CSRF token
and the time of computing masked).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = [
    ("all time", {}),
    ("all time by kpi", {"by": "kpi"}),
    ("all time by country", {"by": "country"}),
    ("phase II by country", {"phase": "II", "by": "country"}),
    ("phase II, country ID", {"phase": "II", "country": "ID"}),
    ("2016", {"year": 2016}),
]
CODES = {
    "kpi_improved_pct": ("kpi", "country"),
    "jobs_created": ("country",),
    "smes_more_than_one_module_pct": ("country",),
}


@contextmanager
def rows_only() -> Iterator[None]:
    """The two tallies set aside: every figure reads its rows."""
    from scoretrack.indicators import tallies

    kept = tallies.kpi_rows, tallies.module_rows
    tallies.kpi_rows = lambda *args: None  # type: ignore[assignment]
    tallies.module_rows = lambda *args: None  # type: ignore[assignment]
    try:
        yield
    finally:
        tallies.kpi_rows, tallies.module_rows = kept  # type: ignore[assignment]


def figures(admin: Any) -> None:
    from scoretrack.indicators.registry import Request, evaluate

    for code, supported in CODES.items():
        for label, filters in REQUESTS:
            if filters.get("by") not in (None, *supported):
                continue
            found = {}
            for mode in ("tally", "rows"):
                times = []
                for _ in range(3):
                    with rows_only() if mode == "rows" else _nothing():
                        started = time.perf_counter()
                        values = evaluate(admin, Request(codes=[code], **filters))["values"]
                        times.append(time.perf_counter() - started)
                found[mode] = (statistics.median(times), values)
            ratio = found["rows"][0] / found["tally"][0]
            sys.stdout.write(
                f"{code:30} {label:22} tally {found['tally'][0] * 1000:8.1f} ms"
                f"  rows {found['rows'][0] * 1000:8.1f} ms  ({ratio:5.1f}x)"
                f"  same values: {found['tally'][1] == found['rows'][1]}\n"
            )
            sys.stdout.flush()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


MASKS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'csrf[^"]*"[^"]*"'), "csrf"),
    (re.compile(r'"X-CSRFToken": "[^"]*"'), '"X-CSRFToken"'),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?"), "<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "<time>"),
]


def masked(html: str) -> str:
    for pattern, replacement in MASKS:
        html = pattern.sub(replacement, html)
    return html


def pages(country: str, roles: tuple[str, ...], runs: int) -> None:
    """Each page computed `runs` times each way, the two ways taking turns."""
    from benchmarks.reports import PAGES, clients
    from scoretrack.lib.freshness import bump

    for role, client in clients().items():
        if role not in roles:
            continue
        client.get(PAGES[0][1].format(country=country))  # type: ignore[attr-defined]
        for name, url in PAGES:
            url = url.format(country=country)
            url += ("&" if "?" in url else "?") + "fresh=1"
            times: dict[str, list[float]] = {"rows": [], "tally": []}
            html: dict[str, set[str]] = {"rows": set(), "tally": set()}
            for _ in range(runs):
                for mode in ("rows", "tally"):
                    bump()
                    with rows_only() if mode == "rows" else _nothing():
                        started = time.perf_counter()
                        response = client.get(url)  # type: ignore[attr-defined]
                        times[mode].append(time.perf_counter() - started)
                    html[mode].add(masked(response.content.decode()))
            same = html["rows"] == html["tally"] and len(html["rows"]) == 1
            sys.stdout.write(
                f"{name:28} {role:6} tally {statistics.median(times['tally']):6.2f} s"
                f"  rows {statistics.median(times['rows']):6.2f} s  status {response.status_code}"
                f"  identical HTML: {same}\n"
            )
            sys.stdout.flush()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.reports import django_setup

    django_setup(Path("data"))
    from scoretrack.accounts.models import User
    from scoretrack.lib import derived

    derived.refresh()
    admin, _ = User.objects.get_or_create(
        email="bench-admin@example.org", defaults={"is_superuser": True, "is_staff": True}
    )
    if "--pages" in sys.argv:
        # --admin: the admin's pages only (the donor's take minutes at 100,000);
        # --runs N: each page N times each way (median).
        roles = ("admin",) if "--admin" in sys.argv else ("admin", "donor")
        runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
        pages("ID", roles, runs)
    else:
        figures(admin)


if __name__ == "__main__":
    main()
