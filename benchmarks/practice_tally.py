"""Benchmark: the two practice figures from the practice tally against the steps.

Not part of the test suite. On a data set made by `scoretrack generate` (the
bench users of `benchmarks/reports.py` created by a run of it):

    SCORETRACK_DATA_DIR=DIR .venv/bin/python -m benchmarks.practice_tally
    DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.practice_tally

For a few requests as the bench admin, the registry's answer read from the
practice tally (indicators/tallies.py) and from the practice steps (the tally set
aside), median of 3 each, and whether both give the same values.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = [
    ("all time", {}),
    ("all time by practice", {"by": "practice"}),
    ("phase II by country", {"phase": "II", "by": "country"}),
    ("2016, country ID", {"year": 2016, "country": "ID"}),
]
CODES = ["practice_newly_implemented_pct", "practice_in_place_before_pct"]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
    import django

    django.setup()
    from scoretrack.accounts.models import User
    from scoretrack.indicators import tallies
    from scoretrack.indicators.registry import Request, evaluate
    from scoretrack.lib import derived

    admin = User.objects.get(email="bench-admin@example.org")
    derived.refresh()
    tallied = tallies.rows
    for label, filters in REQUESTS:
        found = {}
        for mode in ("tally", "steps"):
            tallies.rows = tallied if mode == "tally" else (lambda *args: None)  # type: ignore[assignment]
            times = []
            for _ in range(3):
                started = time.perf_counter()
                values = evaluate(admin, Request(codes=CODES, **filters))["values"]
                times.append(time.perf_counter() - started)
            found[mode] = (statistics.median(times), values)
        tallies.rows = tallied  # type: ignore[assignment]
        sys.stdout.write(
            f"{label:24} tally {found['tally'][0] * 1000:7.1f} ms"
            f"  steps {found['steps'][0] * 1000:7.1f} ms"
            f"  same values: {found['tally'][1] == found['steps'][1]}\n"
        )


if __name__ == "__main__":
    main()
