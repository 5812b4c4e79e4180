"""The admin's big lists at the data set's size (issue 21): participants, enterprises,
KPI observations and consulting visits, as a superuser gets them.

Each list is timed as first opened (newest changes first), with a filter, sorted by
a column and searched, through Django's test client (no network; the whole request
in the server). Run as a child process of the harness:

    .venv/bin/python -m benchmarks.admin_lists --size 100000 --database sqlite

Goal: every list under 200 ms at 100,000 enterprises. Reference, timed turn about
with each list: the admin's list of the modules (a dozen rows), the cost of an
admin list page itself on this machine at this moment.
"""

from __future__ import annotations

import argparse
import os

from benchmarks.common import Measure, Result, bench_user, django_setup, emit, say

GOAL_S = 0.2
BIG = 100_000

# (label, URL): each list opened, filtered, sorted and searched.
REFERENCE = "/admin/reference/module/"
PAGES = [
    ("participants", "/admin/training/participant/"),
    ("participants, satisfaction 5", "/admin/training/participant/?satisfaction=5"),
    ("participants, women", "/admin/training/participant/?sex__exact=female"),
    ("participants, search by delivery key", "/admin/training/participant/?q={delivery}"),
    ("enterprises", "/admin/enterprises/enterprise/"),
    ("enterprises, sorted by key", "/admin/enterprises/enterprise/?o=2"),
    ("enterprises, women-owned", "/admin/enterprises/enterprise/?women_owned__exact=1"),
    ("enterprises, search by key", "/admin/enterprises/enterprise/?q={enterprise}"),
    ("KPI observations", "/admin/outcomes/kpiobservation/"),
    (
        "KPI observations, search by enterprise key",
        "/admin/outcomes/kpiobservation/?q={enterprise}",
    ),
    ("consulting visits", "/admin/training/consultingvisit/"),
]


def measure(size: int, database: str, runs: int) -> list[Result]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.common import interleaved
    from scoretrack.enterprises.models import Enterprise
    from scoretrack.training.models import Participant

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(bench_user())
    some = Participant.objects.select_related("delivery", "enterprise").order_by("id").first()
    keys = {"delivery": some.delivery.key, "enterprise": some.enterprise.key}
    results = []
    for label, url in PAGES:
        url = url.format(**keys)
        timings = interleaved(
            {"list": lambda url=url: client.get(url), "ref": lambda: client.get(REFERENCE)}, runs
        )
        samples, response = timings["list"]
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        status = response.status_code
        say(f"  {database} {size:,}: admin {label} {min(samples) * 1000:.0f} ms, HTTP {status}")
        result = Result(
            "admin: lists",
            database,
            size,
            Measure(label, "s", samples),
            Measure("the modules' admin list (a dozen rows)", "s", timings["ref"][0]),
            goal=f"< {GOAL_S * 1000:.0f} ms at 100,000 enterprises",
            notes=[
                f"{label}: GET {url}, HTTP {status}, {len(queries)} queries taking"
                f" {sum(float(q['time']) for q in queries.captured_queries) * 1000:.0f} ms"
            ],
        )
        result.met = status == 200 and result.subject.median < GOAL_S
        if size < BIG:
            result.met = None if result.met else False
        results.append(result)
    counts = (Participant.objects.count(), Enterprise.objects.count())
    results[0].notes.append(f"{counts[0]:,} participants, {counts[1]:,} enterprises")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "1")  # static files without a collected manifest
    django_setup()
    emit(measure(args.size, args.database, args.runs))


if __name__ == "__main__":
    main()
