"""Benchmark: server time of the country profile and the programme report.

Not part of the test suite. Usage:

    .venv/bin/python benchmarks/reports.py --enterprises 10000 [--seed 1] [--data-dir DIR]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/reports.py --enterprises 10000

It fills a database with `scoretrack generate` (SQLite in --data-dir, kept
between runs so a second run skips the generation; or DATABASE_URL), then asks
for each page through Django's test client — the whole request inside the server,
no network — a few times, as a global admin and as a donor (whose firm figures
go through the registry's small-count suppression), and prints the best and the
median time and the number of queries of each. With --pdf it also times the
PDFs. Each page is timed computed (`fresh=1`, the registry asked for every
figure) and then as served from the report cache (REPORTS_CACHE_SECONDS).
Goal: under 1 s per page on 100,000 enterprises.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    ("country profile, Phase II", "/reports/country/{country}/?phase=II"),
    ("country profile, 2016", "/reports/country/{country}/?year=2016"),
    ("programme report, Phase II", "/reports/programme/?phase=II"),
    ("programme report, all time", "/reports/programme/"),
]


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def django_setup(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SCORETRACK_DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
    os.environ.setdefault("DEBUG", "1")  # static files without a collected manifest
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    import logging

    # WeasyPrint logs each layout step and axes each login: keep the output to the figures.
    for name in ("weasyprint", "axes"):
        logging.getLogger(name).setLevel(logging.WARNING)


def fill(enterprises: int, seed: int) -> None:
    from django.core.management import call_command

    from scoretrack.enterprises.models import Enterprise

    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    if have >= enterprises:
        say(f"database holds {have:,} enterprises already")
        return
    started = time.monotonic()
    call_command("generate", enterprises=enterprises - have, seed=seed, verbosity=0)
    say(f"generated {enterprises - have:,} enterprises in {time.monotonic() - started:.0f} s")


def clients() -> dict[str, object]:
    from django.test import Client

    from scoretrack.accounts.models import RoleAssignment, User

    admin, _ = User.objects.get_or_create(
        email="bench-admin@example.org", defaults={"is_superuser": True, "is_staff": True}
    )
    donor, created = User.objects.get_or_create(email="bench-donor@example.org")
    if created:
        RoleAssignment.objects.create(user=donor, role="viewer")
    found = {}
    for name, user in (("admin", admin), ("donor", donor)):
        client = Client()
        client.force_login(user)
        found[name] = client
    return found


def time_page(client: object, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as seen:
            started = time.perf_counter()
            response = client.get(url)  # type: ignore[attr-defined]
            times.append(time.perf_counter() - started)
        queries, status = len(seen), response.status_code
    return min(times), statistics.median(times), queries, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--country", default="ID")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF downloads")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(f"/tmp/scoretrack-bench-reports-{args.enterprises}")
    django_setup(data_dir)
    fill(args.enterprises, args.seed)
    from django.db import connection

    say(f"database: {connection.vendor}, {args.enterprises:,} enterprises")
    pages = list(PAGES)
    if args.pdf:
        pages += [(f"{name} (PDF)", url + "&format=pdf") for name, url in PAGES if "?" in url]
    from django.core.cache import cache

    cache.clear()
    for role, client in clients().items():
        client.get(PAGES[0][1].format(country=args.country))  # warm the connection
        for name, url in pages:
            url = url.format(country=args.country)
            fresh = url + ("&" if "?" in url else "?") + "fresh=1"
            best, median, queries, status = time_page(client, fresh, args.runs)
            warm, _median, warm_queries, _status = time_page(client, url, 1)
            say(
                f"{role:5}  {name:34} computed: best {best * 1000:6.0f} ms,"
                f" median {median * 1000:6.0f} ms, {queries:3} queries"
                f" | cached: {warm * 1000:5.0f} ms, {warm_queries:2} queries  HTTP {status}"
            )


if __name__ == "__main__":
    main()
