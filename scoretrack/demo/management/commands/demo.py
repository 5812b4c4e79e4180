"""`scoretrack demo`: the reference catalogues and a synthetic programme shaped like the report."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.core.management.base import CommandParser
from django.db import transaction

from scoretrack.demo import catalogue, generator
from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.commands import DataCommand


class Command(DataCommand):
    help = (
        "Load the reference catalogues (phases, modules, practices, KPIs, countries, rates, "
        "targets) idempotently, then a synthetic programme shaped like the SCORE Phase II "
        "report: its nine country programmes and 1,319 SMEs over phases I and II (figure 6), "
        "with deliveries, participants, trainers, money, assessments, KPIs and events. "
        "Catalogue entries get a history record; the synthetic programme is bulk-loaded "
        "without per-row history (synthetic data needs no audit trail; a later change or "
        "deletion of a demo record is recorded as usual)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2017, help="Random seed (default 2017)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load nothing when the database already holds enterprises (for `make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Enterprise.objects.exists():
            self.stdout.write("Enterprises already exist: demo data not loaded.")
            return
        started = time.monotonic()
        with transaction.atomic():
            catalogue.load_targets(catalogue.load_catalogues())
        self.stdout.write("Reference catalogues loaded.")
        if Enterprise.objects.filter(key=demo_marker_key()).exists():
            self.stdout.write("The demo programme is already loaded: nothing more to do.")
            return
        counts = load_demo_programme(options["seed"])
        for label, count in sorted(counts.items()):
            self.stdout.write(f"  {label:<32} {count:>9,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo programme loaded in {time.monotonic() - started:.1f} s "
                f"({counts.get('enterprises.Enterprise', 0):,} enterprises)."
            )
        )


def demo_marker_key() -> str:
    """The key of the demo's first enterprise: present = the demo was loaded."""
    return f"{catalogue.COUNTRIES[0].code}-E000001"


def load_demo_programme(seed: int) -> dict[str, int]:
    cells = generator.demo_plan(random.Random(f"demo:{seed}:plan"))
    options = generator.RunOptions(
        purpose="demo",
        seed=seed,
        prefix="",
        trainers_per_firm=None,
        events_until=dt.date(2017, 12, 31),
        firms_per_chunk=100_000,  # the whole country in one chunk: deliveries group best
    )
    with transaction.atomic():
        return generator.run_plan(cells, options)
