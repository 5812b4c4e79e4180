"""Benchmark: import N participant rows, beside a plain bulk_create of the same rows.

Not part of the test suite. Usage:

    .venv/bin/python benchmarks/import_participants.py --rows 1000000 [--format csv|xlsx]

It builds a scratch database (embedded SQLite in a temporary folder) with
the countries, modules, deliveries and enterprises the rows refer to, writes the
rows as a workbook, then runs, each in its own process so that peak memory is
its own: `workbook_import` (parse, check, resolve, match, insert with history)
and a plain `bulk_create` of the same rows (csv.reader + dict look-ups, no
checks, no history). It prints rows/s and peak RSS of both.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_DELIVERY = 40  # participants per delivery: ten enterprises of four people
PER_ENTERPRISE = 4


def django_setup(data_dir: Path) -> None:
    os.environ.pop("DATABASE_URL", None)  # never a shared database: this one is thrown away
    # ... unless the harness (benchmarks/import_runs.py) hands a scratch PostgreSQL one.
    if os.environ.get("BENCH_IMPORT_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_IMPORT_DATABASE_URL"]
    os.environ["SCORETRACK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(data_dir: Path, rows: int, fmt: str) -> Path:
    """The scratch database and the workbook; returns the workbook's path."""
    django_setup(data_dir)
    from django.core.management import call_command

    from scoretrack.accounts.models import User
    from scoretrack.enterprises.models import Enterprise
    from scoretrack.reference.models import CountryProgramme, Module
    from scoretrack.training.models import Delivery, Enrolment

    call_command("migrate", verbosity=0)
    User.objects.create_superuser(email="bench@example.org", password="bench-123456")
    country = CountryProgramme.objects.create(code="CO", name="Colombia")
    module = Module.objects.create(code="M1", name="Workplace Cooperation")
    deliveries = rows // PER_DELIVERY + 1
    enterprises = rows // PER_ENTERPRISE + 1
    Delivery.objects.bulk_create(
        Delivery(key=f"D{i}", country=country, module=module, start_date="2020-01-01")
        for i in range(deliveries)
    )
    firms = Enterprise.objects.bulk_create(
        Enterprise(key=f"E{i}", name=f"Enterprise {i}", country=country) for i in range(enterprises)
    )
    # A participant's firm is enrolled in its delivery: each delivery's ten firms.
    by_key = dict(Delivery.objects.values_list("key", "pk"))
    Enrolment.objects.bulk_create(
        (
            Enrolment(delivery_id=by_key[f"D{i * PER_ENTERPRISE // PER_DELIVERY}"], enterprise=firm)
            for i, firm in enumerate(firms)
            if f"D{i * PER_ENTERPRISE // PER_DELIVERY}" in by_key
        ),
        batch_size=5000,
    )
    folder = data_dir / "book"
    folder.mkdir()
    header = ["delivery", "enterprise", "sex", "role", "person", "name", "eit_member"]
    header.append("satisfaction")
    rng = random.Random(1)
    lines = (
        [
            f"D{n // PER_DELIVERY}",
            f"E{n // PER_ENTERPRISE}",
            rng.choice(("female", "male")),
            rng.choice(("manager", "worker", "worker")),
            "",
            f"Person {n}",
            rng.choice(("yes", "no")),
            rng.randint(1, 5),
        ]
        for n in range(rows)
    )
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("participants")
        sheet.append(header)
        for line in lines:
            sheet.append(line)
        path = data_dir / "book.xlsx"
        book.save(path)
        return path
    with (folder / "participants.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(lines)
    return folder


def run_import(data_dir: Path, source: Path) -> None:
    django_setup(data_dir)
    from scoretrack.accounts.models import User
    from scoretrack.exchange.services import workbook_import

    user = User.objects.get()
    started, cpu = time.perf_counter(), time.process_time()
    report = workbook_import(source=source, user=user)
    elapsed = time.perf_counter() - started
    assert report.ok, [p.line() for p in report.problems[:5]]
    counts = report.counts["participants"]
    report_line("workbook_import", counts.created, elapsed, time.process_time() - cpu)


def run_plain(data_dir: Path, source: Path) -> None:
    """The floor: read the CSV, look keys up in dicts, bulk_create, nothing else."""
    django_setup(data_dir)
    from django.db import transaction

    from scoretrack.enterprises.models import Enterprise
    from scoretrack.training.models import Delivery, Participant

    started, cpu = time.perf_counter(), time.process_time()
    deliveries = dict(Delivery.objects.values_list("key", "id"))
    enterprises = dict(Enterprise.objects.values_list("key", "id"))
    created = 0
    with (source / "participants.csv").open(newline="") as handle, transaction.atomic():
        reader = csv.reader(handle)
        next(reader)
        batch = []
        for delivery, enterprise, sex, role, person, name, eit, satisfaction in reader:
            batch.append(
                Participant(
                    delivery_id=deliveries[delivery],
                    enterprise_id=enterprises[enterprise],
                    sex=sex,
                    role=role,
                    person=person,
                    name=name,
                    eit_member=eit == "yes",
                    satisfaction=int(satisfaction),
                )
            )
            if len(batch) == 2000:
                Participant.objects.bulk_create(batch)
                created += len(batch)
                batch = []
        Participant.objects.bulk_create(batch)
        created += len(batch)
    report_line(
        "plain bulk_create", created, time.perf_counter() - started, time.process_time() - cpu
    )


def report_line(label: str, rows: int, seconds: float, cpu: float) -> None:
    """Wall time and rate; CPU time of this process (on SQLite, the database's work
    included: less swayed than wall time by a loaded machine)."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(
        f"{label:<18} {rows:>9,} rows in {seconds:7.1f} s = {rows / seconds:>8,.0f} rows/s,"
        f" peak RSS {peak_mb:,.0f} MB, CPU {cpu:.1f} s"
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--mode", choices=("both", "import", "plain", "build"), default="both")
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "build":
        build(Path(args.data_dir), args.rows, args.format)
        return
    if args.data_dir:  # a child process: one measurement
        runner = run_import if args.mode == "import" else run_plain
        runner(Path(args.data_dir), Path(args.source))
        return
    scratch = Path(tempfile.mkdtemp(prefix="scoretrack-bench-"))
    try:
        started = time.perf_counter()
        _prepare(scratch, args.rows, args.format)
        say(f"built {args.rows:,} {args.format} rows in {time.perf_counter() - started:.0f} s")
        modes = ["import", "plain"] if args.mode == "both" else [args.mode]
        if args.format == "xlsx" and "plain" in modes:
            modes.remove("plain")  # the plain insert reads CSV only
        for mode in modes:
            data_dir = scratch / mode
            shutil.copytree(scratch / "base", data_dir)
            base = scratch / "base"
            source = base / "book.xlsx" if args.format == "xlsx" else base / "book"
            command = [sys.executable, __file__, "--mode", mode, "--data-dir", str(data_dir)]
            subprocess.run([*command, "--source", str(source)], check=True)
            shutil.rmtree(data_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _prepare(scratch: Path, rows: int, fmt: str) -> None:
    """Build the base data folder in a child process (Django is set up once per process)."""
    (scratch / "base").mkdir(parents=True)
    command = [sys.executable, __file__, "--mode", "build", "--rows", str(rows)]
    command += ["--format", fmt, "--data-dir", str(scratch / "base"), "--source", "-"]
    subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
