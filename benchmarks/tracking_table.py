"""The indicator tracking table for the programme (issue 20): every indicator of the
registry × 16 quarters, beside the sum of the same figures asked one by one.

    .venv/bin/python -m benchmarks.tracking_table --size 100000 --database sqlite

The table is `results.tracking.tracking_table` for a global administrator, its
chain naming every indicator of the registry (a results level the benchmark adds
and removes again), by quarter over the last four years of the phases: a baseline
and 16 quarters per indicator, computed side by side on REPORT_WORKERS connections
(`Figures.prefetch`). The reference asks each of those figures alone
(`registry.compute`, no memo, one after another), as a page without the table's
machinery would. Goal: under 2 s at 100,000 enterprises on both databases.

The table kept: the page `/results/tracking/?period=quarter` as a reader of the
same scope opens it once the table is kept (reports/cache.py; the worker makes
the default one ahead of readers, reports/warm.py): read back and laid out.
`--no-one-by-one` leaves the reference out (at 100,000 it takes tens of minutes).

Where the time goes: each indicator's share of the table computed, its series
(periodic) or its cells one by one, on one connection, in the table's order (a
figure another indicator already asked, in the page's memo, costs nothing): the
result's profile, and with `--profile-only` that alone.

With no `DATABASE_URL` nor `SCORETRACK_DATA_DIR` in the environment, the data set
of `--size` and `--database` (benchmarks/datasets.py: `BENCH_DIR`, `BENCH_PG_PREFIX`)
is read, as the harness would give it.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import time
from collections.abc import Iterator
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

GOAL_S = 2.0
BIG = 100_000
KEY = "BENCH-ALL-INDICATORS"


def one_by_one(user: Any, table: Any) -> int:
    """Every figure of the table, asked alone; how many."""
    from scoretrack.indicators.registry import compute
    from scoretrack.results import tracking

    base = tracking.resolve(tracking.Source(user), tracking.FigureRequest(codes=["smes_trained"]))
    asked = 0
    for row in table.rows:
        code = row.indicator.code
        baseline = tracking._baseline_filters(base, table.periods)
        if baseline is not None:
            compute(code, user, baseline)
            asked += 1
        for cell in row.cells:
            filters = cell.period.filters(base)
            if cell.cumulative:
                filters = dataclasses.replace(filters, start=None)
            compute(code, user, filters)
            asked += 1
    return asked


def kept_page(user: Any) -> Any:
    """The tracking page by quarter as `user` opens it, the table kept (REPORTS_CACHE_SECONDS)."""
    from django.test import RequestFactory

    from scoretrack.results import views

    def read() -> Any:
        request = RequestFactory().get("/results/tracking/", {"period": "quarter"})
        request.user = user
        response = views.tracking(request)
        assert response.status_code == 200, response.status_code
        return response

    return read


@contextlib.contextmanager
def levels() -> Iterator[None]:
    """The programme's chain naming every indicator of the registry, for the time
    of the block (levels the benchmark adds and removes again)."""
    from scoretrack.indicators.registry import REGISTRY
    from scoretrack.results.models import ResultLevel

    ResultLevel.objects.filter(key__startswith=KEY, country__isnull=True).delete()
    codes = list(REGISTRY)
    made = [
        ResultLevel.objects.create(
            key=f"{KEY}-{start // 8 + 1}",
            level="output",
            position=90 + start // 8,
            statement="Every indicator of the registry",
            indicators=", ".join(codes[start : start + 8]),  # a box names 600 characters
        )
        for start in range(0, len(codes), 8)
    ]
    try:
        yield
    finally:
        for level in made:
            level.delete()


def measure(size: int, database: str, runs: int, reference: bool = True) -> list[Result]:
    from scoretrack.indicators.registry import REGISTRY
    from scoretrack.results.tracking import Ask, tracking_table

    user = bench_user()
    with levels():
        from django.conf import settings

        settings.REPORTS_CACHE_SECONDS = settings.REPORTS_CACHE_SECONDS or 3600
        ask = Ask(period="quarter")
        ways = {
            "table": lambda: tracking_table(user, ask),
            "kept": kept_page(user),  # its untimed first turn computes and keeps the table
        }
        if reference:
            ways["one_by_one"] = lambda: one_by_one(user, tracking_table_shape(user, ask))
        found = interleaved(ways, runs)
        table = found["table"][1]
        say(
            f"  {database} {size:,}: {len(table.rows)} rows x {len(table.periods)} quarters,"
            f" table {min(found['table'][0]):.2f} s, kept {min(found['kept'][0]):.3f} s"
            + (f", one by one {min(found['one_by_one'][0]):.2f} s" if reference else "")
        )
        computed = Measure(
            f"programme, {len(REGISTRY)} indicators × {len(table.periods)} quarters",
            "s",
            found["table"][0],
        )
        kept = Result(
            "results: the indicator tracking table, kept",
            database,
            size,
            Measure(
                "the page by quarter, its table kept (read back, laid out)", "s", found["kept"][0]
            ),
            Measure("the table computed", "s", found["table"][0]),
            goal=f"< {GOAL_S:g} s",
        )
        kept.met = kept.subject.median < GOAL_S if size >= BIG else None
        result = Result(
            "results: the indicator tracking table",
            database,
            size,
            computed,
            Measure(
                f"the same {found['one_by_one'][1]} figures asked one by one",
                "s",
                found["one_by_one"][0],
            )
            if reference
            else None,
            goal=f"< {GOAL_S:g} s",
            notes=[
                f"quarters {table.periods[0].label} to {table.periods[-1].label}; rows: every"
                " indicator of the registry, named by the chain's levels; a baseline and 16"
                " quarters each"
            ],
        )
        result.met = result.subject.median < GOAL_S
        if size < BIG:
            result.met = None if result.met else False  # the goal is set at 100,000
        costs = costs_text(per_indicator(user, ask))
        say(costs)
        result.profile = costs
        if result.met is False and reference:
            result.profile += "\n\n" + profile_top(lambda: tracking_table(user, ask))
        return [result, kept]


def per_indicator(user: Any, ask: Any) -> list[tuple[str, float, int]]:
    """Each indicator's seconds in the table computed, on one connection, in the
    table's order: (code, seconds, figures asked), the costliest first."""
    from scoretrack.indicators.registry import REGISTRY
    from scoretrack.lib.derived import refreshed_once
    from scoretrack.reports.figures import Figures
    from scoretrack.results import tracking

    source = tracking.Source(user)
    base = tracking.resolve(source, tracking.FigureRequest(codes=["smes_trained"]))
    phases = list(source(tracking.Phase).order_by("start_date"))
    periods = tracking.periods_of(ask, phases, ask.today or dt.date.today())
    chain, _country = tracking.chain_of(user, None)
    rows = [
        tracking.Row(level, REGISTRY[code]) for level in chain for code in level.indicator_codes()
    ]
    targets = tracking._targets(source, rows, base, ask)
    fig = Figures(user=user, filters=base)
    found = []
    with refreshed_once():
        for code in dict.fromkeys(row.indicator.code for row in rows):
            asked = tracking._asked(code, periods, targets, base, ask)
            started = time.perf_counter()
            if REGISTRY[code].periodic:
                fig.series(code, asked)
            else:
                for filters in asked:
                    fig.get(code, by=filters.by, filters=filters)
            found.append((code, time.perf_counter() - started, len(asked)))
    return sorted(found, key=lambda item: -item[1])


def costs_text(costs: list[tuple[str, float, int]]) -> str:
    from scoretrack.indicators.registry import REGISTRY

    total = sum(seconds for _code, seconds, _n in costs)
    lines = [f"each indicator's share, one connection, in the table's order: {total:.2f} s"]
    for code, seconds, asked in costs:
        way = "series" if REGISTRY[code].periodic else f"{asked} cells one by one"
        lines.append(f"{seconds:9.3f} s  {seconds * 100 / (total or 1):5.1f}%  {code} ({way})")
    return "\n".join(lines)


_shape: dict[str, Any] = {}


def tracking_table_shape(user: Any, ask: Any) -> Any:
    """The table's rows and periods (computed once: the reference asks its figures)."""
    from scoretrack.results.tracking import tracking_table

    if "table" not in _shape:
        _shape["table"] = tracking_table(user, ask)
    return _shape["table"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--database", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-one-by-one", action="store_true", help="leave the reference out")
    parser.add_argument(
        "--profile-only", action="store_true", help="each indicator's share of the table only"
    )
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "1")  # static files without a collected manifest, as reports.py
    if (
        args.size
        and args.database
        and not (os.environ.get("DATABASE_URL") or os.environ.get("SCORETRACK_DATA_DIR"))
    ):
        from benchmarks.datasets import Dataset

        os.environ.update(Dataset(args.database, args.size, args.seed).env())
    django_setup()
    if args.profile_only:
        with levels():
            from scoretrack.results.tracking import Ask

            say(costs_text(per_indicator(bench_user(), Ask(period="quarter"))))
        return
    emit(measure(args.size, args.database, args.runs, reference=not args.no_one_by_one))


if __name__ == "__main__":
    main()
