"""What every benchmark of the harness shares: timing, child processes, results.

Each benchmark runs in a child process of its own (`python -m benchmarks.NAME ...`)
so that its peak memory is its own and Django is set up once for one database.
The child prints its measurements as one line `BENCH-RESULT {json}`; the harness
collects those lines and writes BENCHMARKS.md from them.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULT_PREFIX = "BENCH-RESULT "


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# --- measurements -------------------------------------------------------------------


@dataclass
class Measure:
    """Several runs of one thing: seconds (or rows/s, MB) per run."""

    label: str
    unit: str  # "s", "rows/s", "MB"
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass
class Result:
    """One line of BENCHMARKS.md: a measure beside its reference, and its goal.

    `ratio` is subject / reference of the medians (time: how many times slower;
    rate: the fraction of the reference's rate reached).
    """

    benchmark: str
    database: str
    size: int
    subject: Measure
    reference: Measure | None = None
    goal: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)
    profile: str = ""
    peak_rss_mb: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference is None or not self.reference.median:
            return None
        return self.subject.median / self.reference.median

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        data = dict(data)
        data["subject"] = Measure(**data["subject"])
        if data.get("reference"):
            data["reference"] = Measure(**data["reference"])
        return cls(**data)


def timed(run: Callable[[], Any], runs: int, *, warm: int = 1) -> tuple[list[float], Any]:
    """Seconds of each of `runs` calls after `warm` untimed ones (caches, connections)."""
    value = None
    for _ in range(warm):
        value = run()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        value = run()
        samples.append(time.perf_counter() - started)
    return samples, value


def interleaved(
    runs: Mapping[str, Callable[[], Any]], count: int, *, warm: int = 1
) -> dict[str, tuple[list[float], Any]]:
    """Like `timed`, for several ways of computing the same thing, taking turns run by
    run: other work on a shared machine then slows each of them alike."""
    values: dict[str, Any] = dict.fromkeys(runs)
    for _ in range(warm):
        for name, run in runs.items():
            values[name] = run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(count):
        for name, run in runs.items():
            started = time.perf_counter()
            values[name] = run()
            samples[name].append(time.perf_counter() - started)
    return {name: (samples[name], values[name]) for name in runs}


def profile_top(run: Callable[[], Any], limit: int = 15, only: str | None = None) -> str:
    """cProfile of one call: the entries taking the most cumulative time (with `only`, a
    regular expression, just the functions whose file path matches it)."""
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    return top_entries(pstats.Stats(profiler), limit, only)


def top_entries(stats: pstats.Stats, limit: int = 15, only: str | None = None) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(*([only] if only else []), limit)
    lines = [short_path(line) for line in out.getvalue().splitlines() if line.strip()]
    # Drop pstats' preamble (call counts, "Ordered by"), keep the table.
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return "\n".join(lines[start:])


def short_path(line: str) -> str:
    line = line.replace(f"{ROOT}/", "")
    return re.sub(r"\S*/site-packages/", "", line)


def emit(results: list[Result]) -> None:
    """The child's answer to the harness, on stdout."""
    for result in results:
        sys.stdout.write(RESULT_PREFIX + json.dumps(result.as_json()) + "\n")
    sys.stdout.flush()


# --- child processes ----------------------------------------------------------------


@dataclass
class Child:
    returncode: int
    stdout: str
    seconds: float
    peak_rss_mb: float

    def results(self) -> list[Result]:
        return [
            Result.from_json(json.loads(line[len(RESULT_PREFIX) :]))
            for line in self.stdout.splitlines()
            if line.startswith(RESULT_PREFIX)
        ]


def run_child(
    command: list[str], env: Mapping[str, str], *, stdout_file: Path | None = None
) -> Child:
    """Run `command`, returning its stdout, wall time and peak RSS (from wait4, so the
    child's own high-water mark, not the harness's)."""
    out = stdout_file.open("w") if stdout_file else subprocess.PIPE
    started = time.perf_counter()
    process = subprocess.Popen(command, env=dict(env), stdout=out, text=True, cwd=ROOT)
    captured = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout_file:
        out.close()  # type: ignore[union-attr]
        captured = ""
    return Child(process.returncode, captured, seconds, usage.ru_maxrss / 1024)


def django_setup() -> None:
    """Set Django up in a child, for the database its environment names."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def bench_user() -> Any:
    """A global administrator to compute as (the registry scopes every query by user)."""
    from scoretrack.accounts.models import User

    user, created = User.objects.get_or_create(
        email="bench-harness@example.org", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user
