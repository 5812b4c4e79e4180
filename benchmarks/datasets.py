"""The generated data sets the benchmarks read, made once and kept, keyed by size and seed.

- SQLite: a data folder `BENCH_DIR/sqlite-SIZE-sSEED/` (the database inside it);
- PostgreSQL: a database `bench_SIZE_sSEED` on the server of `BENCH_PG_URL`.

A data set counts as present only once `scoretrack generate` finished on it (a
marker file is written last), so an interrupted generation is redone, not reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import ROOT, say

SCORETRACK = str(ROOT / ".venv" / "bin" / "scoretrack")


def bench_dir() -> Path:
    return Path(os.environ.get("BENCH_DIR", "/tmp/bench-data"))


def pg_server() -> str:
    return os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")


@dataclass(frozen=True)
class Dataset:
    database: str  # "sqlite" or "postgresql"
    size: int
    seed: int

    @property
    def name(self) -> str:
        # BENCH_PG_PREFIX keeps one engineer's databases apart from another's on a
        # shared server (default: bench_SIZE_sSEED).
        return f"{os.environ.get('BENCH_PG_PREFIX', 'bench')}_{self.size}_s{self.seed}"

    @property
    def data_dir(self) -> Path:
        """SQLite: the database's folder; PostgreSQL: only the secret key lives there."""
        if self.database == "sqlite":
            return bench_dir() / f"sqlite-{self.size}-s{self.seed}"
        return bench_dir() / "pg-home"

    @property
    def marker(self) -> Path:
        return bench_dir() / f"{self.database}-{self.size}-s{self.seed}.complete"

    @property
    def url(self) -> str | None:
        return f"{pg_server()}/{self.name}" if self.database == "postgresql" else None

    def env(self) -> dict[str, str]:
        """The environment of a child process working on this data set."""
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
        env["SCORETRACK_DATA_DIR"] = str(self.data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "scoretrack.settings"
        if self.url:
            env["DATABASE_URL"] = self.url
        return env

    def present(self) -> bool:
        if not self.marker.exists():
            return False
        if self.database == "sqlite":
            return (self.data_dir / "scoretrack.sqlite3").exists()
        return pg_database_exists(self.name)

    def ensure(self) -> None:
        """Generate the data set unless it is there already."""
        if self.present():
            say(f"reusing {self.database} data set of {self.size:,} enterprises (seed {self.seed})")
            # Migrations added since it was generated (new indexes, derived rows).
            migrate = [SCORETRACK, "migrate", "--noinput", "-v0"]
            subprocess.run(migrate, env=self.env(), check=True)
            return
        say(f"generating {self.database} data set of {self.size:,} enterprises (a few minutes)")
        started = time.monotonic()
        self.marker.unlink(missing_ok=True)
        self.drop()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.database == "postgresql":
            psql(f'CREATE DATABASE "{self.name}"')
        env = self.env()
        subprocess.run([SCORETRACK, "migrate", "--noinput", "-v0"], env=env, check=True)
        command = [SCORETRACK, "generate", "--enterprises", str(self.size)]
        subprocess.run([*command, "--seed", str(self.seed)], env=env, check=True)
        if self.database == "postgresql":
            psql("ANALYZE", database=self.name)  # fresh statistics, as a live server would have
        self.marker.write_text(f"generated in {time.monotonic() - started:.0f} s\n")

    def drop(self) -> None:
        if self.database == "sqlite":
            shutil.rmtree(self.data_dir, ignore_errors=True)
        else:
            psql(f'DROP DATABASE IF EXISTS "{self.name}"')
        self.marker.unlink(missing_ok=True)


def psql(sql: str, *, database: str = "postgres") -> str:
    """One statement through psql (CREATE/DROP DATABASE cannot run in a transaction)."""
    command = ["psql", f"{pg_server()}/{database}", "-qtAc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def pg_available() -> bool:
    try:
        psql("SELECT 1")
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def pg_database_exists(name: str) -> bool:
    found = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    return found == "1"


# The harness's own databases only (other benchmarks keep theirs under other names).
OURS = r"^bench_([0-9]+_s[0-9]+|import_[0-9]+|import_run|writes_run)$"


def drop_all() -> None:
    """Every kept data set of the harness: the BENCH_DIR folder and its bench_* databases."""
    if pg_available():
        names = psql(f"SELECT datname FROM pg_database WHERE datname ~ '{OURS}'").split()
        for name in names:
            say(f"dropping database {name}")
            psql(f'DROP DATABASE IF EXISTS "{name}"')
    say(f"removing {bench_dir()}")
    shutil.rmtree(bench_dir(), ignore_errors=True)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--drop-all"]:
        raise SystemExit("usage: python -m benchmarks.datasets --drop-all")
    drop_all()
