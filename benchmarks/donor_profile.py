"""Benchmark: where a donor's computed report page spends its time, by population.

Not part of the test suite. On a data set made by `scoretrack generate` (a harness
data set: SCORETRACK_DATA_DIR for SQLite, DATABASE_URL for PostgreSQL):

    SCORETRACK_DATA_DIR=DIR .venv/bin/python -m benchmarks.donor_profile [--page URL] [--runs N]

As the bench donor of `benchmarks/reports.py` (a viewer: every firm figure under
disclosure control), the page (by default the donor's country profile for 2016)
computed after a change of the data version (`fresh=1`, nothing kept, as the
harness's "computed" rows), on one connection (`REPORT_WORKERS=1`, so that every
query is seen). Every query is timed and charged to the population whose
disclosure counts asked it (`protection.Guard`, by its family: the SME family's
members are counted together), the rest to "figures" (the registry's own
queries, the page's). Prints the wall and CPU time of the page, then per
population its queries and their time, largest first.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = "/reports/country/{country}/?year=2016"


def _population(frame: Any) -> str:
    """The family of the innermost `Guard` on the stack, or 'figures'."""
    from scoretrack.indicators.protection import Guard

    while frame is not None:
        owner = frame.f_locals.get("self")
        # (type(), not isinstance: a lazy object on the stack would evaluate itself)
        if type(owner) is Guard:
            return owner.population.kin
        frame = frame.f_back
    return "figures"


def profile(
    client: Any, url: str
) -> tuple[float, float, dict[str, list[float]], dict[str, list[tuple[float, str]]]]:
    """Wall and CPU seconds of one computed GET of `url`, each population's query
    times, and its queries (time, SQL), slowest first."""
    from django.db import connection

    from scoretrack.lib.freshness import bump

    spent: dict[str, list[float]] = defaultdict(list)
    slowest: dict[str, list[tuple[float, str]]] = defaultdict(list)

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        who = _population(sys._getframe(1))
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            spent[who].append(took)
            slowest[who].append((took, sql))

    bump()  # a new data version: nothing kept
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timed):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code} for {url}")
    for found in slowest.values():
        found.sort(reverse=True)
    return time.perf_counter() - wall, time.process_time() - cpu, spent, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default=PAGE, help="the page's URL ({country} replaced)")
    parser.add_argument("--country", default="ID")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--show", type=int, default=0, help="print each population's N slowest")
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "1")  # static files without a collected manifest
    os.environ["REPORT_WORKERS"] = "1"  # one connection: every query seen
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
    import django

    django.setup()
    from django.conf import settings

    from benchmarks import reports

    settings.ALLOWED_HOSTS = ["*"]
    client = reports.clients()["donor"]
    url = args.page.format(country=args.country)
    url += ("&" if "?" in url else "?") + "fresh=1"
    client.get(url)  # warm the connection and the derived rows' refresh
    for run in range(args.runs):
        wall, cpu, spent, slowest = profile(client, url)
        total = sum(sum(times) for times in spent.values())
        queries = sum(len(times) for times in spent.values())
        sys.stdout.write(
            f"run {run + 1}: {url}: wall {wall:.2f} s, CPU {cpu:.2f} s, "
            f"{queries} queries, SQL {total:.2f} s, load {os.getloadavg()[0]:.1f}\n"
        )
        for who, times in sorted(spent.items(), key=lambda item: -sum(item[1])):
            sys.stdout.write(
                f"  {who:28} {len(times):4} queries {sum(times):8.3f} s"
                f"  (largest {max(times):.3f} s)\n"
            )
            for took, sql in slowest[who][: args.show]:
                sys.stdout.write(f"      {took:.3f} s  {sql[:400]}\n")


if __name__ == "__main__":
    main()
