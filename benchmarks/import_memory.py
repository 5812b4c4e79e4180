"""Where an import's memory goes: the resident size sampled through one import.

    BENCH_DIR=... .venv/bin/python -m benchmarks.import_memory --database sqlite --rows 1000000

On a fresh copy of the import base (`benchmarks/import_runs.py`, built if missing), one
`workbook_import` runs while a thread reads the process's resident size every 20 ms. At
each new high of more than 8 MB over the last one, it notes the main thread's innermost
frames of this project (or of the database driver), so the output is the climb of the
resident size with what the import was doing at each step, and where the peak was.
Not a timed benchmark (the sampling costs a little); its goal is the import's (peak
RSS under 300 MB, issue 21).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback
from pathlib import Path

from benchmarks.common import ROOT, say
from benchmarks.import_runs import base_dir, build, env_for, fresh_copy

PAGE = os.sysconf("SC_PAGE_SIZE")
STEP_MB = 8


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE / 1e6


def where(frame) -> str:
    """The innermost frames of our code (or the driver's), newest last."""
    lines = [
        f"{Path(f.filename).name}:{f.lineno} {f.name}"
        for f in traceback.extract_stack(frame)
        if "scoretrack/" in f.filename or "sqlite3" in f.filename or "psycopg" in f.filename
    ]
    return " < ".join(reversed(lines[-4:])) or "(outside scoretrack)"


def sample(main_id: int, notes: list[tuple[float, float, str]], stop: threading.Event) -> None:
    started, high = time.perf_counter(), 0.0
    while not stop.is_set():
        now = rss_mb()
        if now > high + STEP_MB:
            high = now
            frame = sys._current_frames().get(main_id)
            notes.append((time.perf_counter() - started, now, where(frame) if frame else "?"))
        stop.wait(0.02)


def child(data_dir: Path, source: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.import_participants import django_setup

    django_setup(data_dir)
    from scoretrack.accounts.models import User
    from scoretrack.exchange.services import workbook_import

    notes: list[tuple[float, float, str]] = []
    stop = threading.Event()
    thread = threading.Thread(target=sample, args=(threading.get_ident(), notes, stop))
    thread.start()
    try:
        report = workbook_import(source=source, user=User.objects.get())
    finally:
        stop.set()
        thread.join()
    assert report.ok, [p.line() for p in report.problems[:5]]
    for seconds, mb, place in notes:
        say(f"{seconds:8.1f} s {mb:7.0f} MB  {place}")
    say(f"peak {max(mb for _s, mb, _p in notes):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.data_dir:
        child(Path(args.data_dir), Path(args.source))
        return
    import subprocess

    build(args.database, args.rows)
    base = base_dir(args.database, args.rows)
    with fresh_copy(args.database, args.rows, "memory") as (scratch, db_name):
        command = [sys.executable, "-m", "benchmarks.import_memory", "--data-dir", str(scratch)]
        env = {**env_for(args.database, scratch, db_name), "PYTHONPATH": str(ROOT)}
        subprocess.run([*command, "--source", str(base / "book")], env=env, check=True)


if __name__ == "__main__":
    main()
