"""`scoretrack generate`: synthetic enterprises at scale, for load and performance tests."""

from __future__ import annotations

import datetime as dt
import random
import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from scoretrack.demo import generator
from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.freshness import bump


class Command(BaseCommand):
    help = (
        "Add N synthetic enterprises, shaped like the demo programme, with their deliveries, "
        "participants, visits, money, assessments, KPI observations, initiatives and surveys. "
        "Catalogues and country programmes are created if missing; every key the run creates "
        "starts with G<seed>- so runs with different seeds never collide. Enterprises are built "
        "and inserted in chunks (memory stays bounded), in batches (executemany on SQLite, "
        "COPY on PostgreSQL), each chunk committed on its own, and WITHOUT per-row history: "
        "a bulk load of synthetic data needs no audit trail, and writing one would double the "
        "rows and the time. 100,000 enterprises (6.6 million rows) take about 4-5 minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, required=True, help="How many (N)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1)")
        parser.add_argument(
            "--chunk", type=int, default=1000, help="Enterprises built and written at a time"
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per INSERT (bulk_create)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed = options["enterprises"], options["seed"]
        if count < 1:
            raise CommandError("--enterprises must be at least 1")
        prefix = f"G{seed}-"
        if Enterprise.objects.filter(key__startswith=prefix).exists():
            raise CommandError(f"Keys starting with {prefix} exist already: use another --seed.")
        tune_connection()
        started = time.monotonic()
        cells = generator.scaled_plan(random.Random(f"generate:{seed}:plan"), count)
        options_ = generator.RunOptions(
            purpose="generate",
            seed=seed,
            prefix=prefix,
            trainers_per_firm=0.25,
            events_until=dt.date(2024, 12, 31),
            events_scale=max(1.0, count / 1400),
            firms_per_chunk=options["chunk"],
            batch_size=options["batch_size"],
        )
        counts = generator.run_plan(cells, options_, report=self.progress(started))
        bump()  # bulk inserts send no save signals: cached reports must not outlive them
        self.summary(counts, started)

    def progress(self, started: float) -> Any:
        def report(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            self.stdout.write(f"  {done:>9,} / {total:,} enterprises  {elapsed:7.1f} s")

        return report

    def summary(self, counts: dict[str, int], started: float) -> None:
        self.stdout.write("Rows inserted per table:")
        for label, number in sorted(counts.items()):
            self.stdout.write(f"  {label:<32} {number:>11,}")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(counts.values()):,} rows in {time.monotonic() - started:.1f} s "
                f"(peak memory {peak_mb:.0f} MB)."
            )
        )


def tune_connection() -> None:
    """Trade durability of the last moments for speed: the run can simply be repeated."""
    if connection.in_atomic_block:  # called from a transaction (tests): leave it as it is
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # WAL with synchronous=OFF cannot corrupt the file, at worst it loses the last
            # commits on a power cut; bigger page cache and in-memory temp for index builds.
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA temp_store=MEMORY")
        elif connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")
