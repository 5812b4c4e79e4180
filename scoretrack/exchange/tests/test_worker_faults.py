"""Fault injection: real `scoretrack worker` processes, killed with SIGKILL mid-check and
mid-import, on a scratch database of the suite's kind (a SQLite file, or a PostgreSQL
database when DATABASE_URL is set), migrated by a subprocess.

Jobs are made to last: SCORETRACK_TEST_CHUNK_PAUSE_MS pauses the killed worker
after each chunk of 2,000 rows, and the kill comes once the progress file says
some rows of the job are done, but not all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
USER = "loader@example.org"
ENTERPRISES = 10_000  # five chunks of 2,000 rows, plus the one country
CEILING = 180.0  # seconds: a fault bound, far above what a run takes


def _base_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "SCORETRACK_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="scoretrack.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    return env


class Scratch:
    """A database of its own, and the data folder (uploads, progress files) beside it."""

    def __init__(self, folder: Path, database_url: str) -> None:
        self.folder = folder
        self.database_url = database_url
        self.env = {**_base_env(), "SCORETRACK_DATA_DIR": str(folder)}
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)

    @property
    def sqlite_file(self) -> Path:
        return self.folder / "scoretrack.sqlite3"

    def scoretrack(self, *args: str, extra: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "scoretrack", *args],
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=CEILING,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def worker(self, name: str, *args: str, pause_ms: int = 0) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("ab")
        command = [sys.executable, "-m", "scoretrack", "worker", "--no-startup-delay"]
        return subprocess.Popen(
            [*command, "--interval", "0.2", *args],
            env={**self.env, "SCORETRACK_TEST_CHUNK_PAUSE_MS": str(pause_ms)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        if not self.database_url:
            with sqlite3.connect(self.sqlite_file, timeout=30) as db:
                return db.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as db:
            return db.execute(query, params).fetchall()

    def job(self, job_id: str) -> dict[str, Any]:
        columns = ["state", "attempts", "holder", "error", "report", "task_id", "step"]
        key = job_id if self.database_url else uuid.UUID(job_id).hex  # SQLite: UUIDs as hex
        row = self.sql(f"SELECT {', '.join(columns)} FROM exchange_importjob WHERE id = %s", key)
        job = dict(zip(columns, row[0], strict=True))
        if isinstance(job["report"], str):
            job["report"] = json.loads(job["report"])
        return job

    def queue(self, upload: Path, copies: int = 1) -> list[str]:
        """Upload `copies` jobs of the file and queue their checks, as the import page does."""
        code = (
            "from django.core.files.uploadedfile import SimpleUploadedFile\n"
            "from scoretrack.accounts.models import User\n"
            "from scoretrack.exchange import jobs\n"
            f"data = open({str(upload)!r}, 'rb').read()\n"
            f"for _ in range({copies}):\n"
            f"    user = User.objects.get(email={USER!r})\n"
            "    upload = SimpleUploadedFile('l.zip', data)\n"
            "    job = jobs.import_job_create(user=user, upload=upload)\n"
            "    jobs.import_job_start(job=job, commit=False)\n"
            "    print(job.id)\n"
        )
        return self.scoretrack("shell", "--verbosity", "0", "-c", code).split()

    def confirm(self, job_id: str) -> None:
        """What the confirm button does."""
        code = (
            "from scoretrack.exchange import jobs\n"
            "from scoretrack.exchange.models import ImportJob\n"
            f"jobs.import_job_start(job=ImportJob.objects.get(pk={job_id!r}), commit=True)\n"
        )
        self.scoretrack("shell", "--verbosity", "0", "-c", code)

    def enterprises(self) -> int:
        return self.sql("SELECT count(*) FROM enterprises_enterprise")[0][0]

    def tasks(self) -> list[tuple[str, list[str]]]:
        """The import tasks (the night's data-quality run, which a worker queues once a
        night, may be beside them: quality/runs.py)."""
        rows = self.sql(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
            " WHERE substr(task_path, 1, 20) = 'scoretrack.exchange.'"
        )
        return [(s, json.loads(w) if isinstance(w, str) else w) for s, w in rows]

    def progress(self, job_id: str) -> dict[str, int]:
        try:
            text = (self.folder / "imports" / f"{job_id}.zip.progress").read_text()
            return json.loads(text)
        except (OSError, ValueError):
            return {"done": 0, "total": 0}

    def wait_for(self, what: str, test: Any, worker: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + CEILING
        while not test():
            assert worker.poll() is None, f"the worker stopped while waiting for {what}"
            assert time.monotonic() < deadline, f"no {what} within {CEILING} s"
            time.sleep(0.1)


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def kill(worker: subprocess.Popen[bytes]) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()  # reaped: its pid is gone, as after a crash under a supervisor


def big_upload(folder: Path) -> Path:
    enterprises = io.StringIO()
    rows = csv.writer(enterprises)
    rows.writerow(["key", "name", "country", "sector"])
    rows.writerows([f"E{n:05}", f"Firm {n}", "CO", "Textiles"] for n in range(ENTERPRISES))
    path = folder / "load.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("countries.csv", "code,name,currency\nCO,Colombia,COP\n")
        archive.writestr("enterprises.csv", enterprises.getvalue())
    return path


# --- the scratch databases: migrated once, copied for each test -------------------------------


def _admin_url() -> str:
    return os.environ["DATABASE_URL"]


def _pg(statement: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as db:
        db.execute(statement)


def _pg_url(name: str) -> str:
    parts = dj_database_url.parse(_admin_url())
    user, host, port = parts["USER"], parts["HOST"] or "127.0.0.1", parts["PORT"] or 5432
    password = f":{parts['PASSWORD']}" if parts.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def _scratch_name(suffix: str) -> str:
    base = os.environ.get("TEST_DATABASE_NAME", "test_scoretrack")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{base}_{worker}_{suffix}".lower()[:60]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("worker-template")
    url = ""
    if os.environ.get("DATABASE_URL"):
        name = _scratch_name("tpl")
        _pg(f'DROP DATABASE IF EXISTS "{name}"')
        _pg(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    scratch = Scratch(folder, url)
    scratch.scoretrack("migrate", "--no-input")
    scratch.scoretrack("users", "add", USER, "--role", "global_admin", "--password", "pw-loader-1")
    if not url:
        scratch.sql("PRAGMA wal_checkpoint(TRUNCATE)")
    yield folder, url
    if url:
        _pg(f'DROP DATABASE IF EXISTS "{_scratch_name("tpl")}"')


@pytest.fixture
def scratch(template: tuple[Path, str], tmp_path: Path) -> Iterator[Scratch]:
    folder, url = template
    data = tmp_path / "data"
    data.mkdir()
    name = ""
    if url:
        name = _scratch_name(uuid.uuid4().hex[:8])
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{_scratch_name("tpl")}"')
        url = _pg_url(name)
    else:
        shutil.copy(folder / "scoretrack.sqlite3", data / "scoretrack.sqlite3")
    shutil.copy(folder / "secret_key", data / "secret_key")
    yield Scratch(data, url)
    if name:
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the tests --------------------------------------------------------------------------------


def test_a_worker_killed_mid_check_is_replaced_and_the_check_ends(
    scratch: Scratch, tmp_path: Path
) -> None:
    [job_id] = scratch.queue(big_upload(tmp_path))
    first = scratch.worker("first", pause_ms=400)
    try:
        scratch.wait_for(
            "rows checked",
            lambda: 1 < scratch.progress(job_id)["done"] < ENTERPRISES + 1,
            first,
        )
    finally:
        kill(first)
    held = scratch.job(job_id)
    assert (held["state"], held["attempts"]) == ("checking", 1)
    assert held["holder"].split(":")[1] == str(first.pid)
    assert scratch.tasks() == [("RUNNING", [held["holder"]])]

    second = scratch.worker("second")
    try:
        scratch.wait_for("the check", lambda: scratch.job(job_id)["state"] != "checking", second)
    finally:
        stop(second)
    job = scratch.job(job_id)
    assert (job["state"], job["attempts"], job["error"]) == ("checked", 2, "")
    assert job["report"]["counts"]["enterprises"]["created"] == ENTERPRISES
    assert scratch.enterprises() == 0  # a check writes nothing
    statuses = sorted(status for status, _ in scratch.tasks())
    assert statuses == ["FAILED", "SUCCESSFUL"]  # none left RUNNING


def test_a_worker_killed_mid_import_is_replaced_and_the_import_is_all_or_nothing(
    scratch: Scratch, tmp_path: Path
) -> None:
    [job_id] = scratch.queue(big_upload(tmp_path))
    scratch.worker("check", "--batch").wait(timeout=CEILING)
    assert scratch.job(job_id)["state"] == "checked"
    scratch.confirm(job_id)

    first = scratch.worker("first", pause_ms=400)
    try:
        scratch.wait_for(
            "rows imported",
            lambda: 1 < scratch.progress(job_id)["done"] < ENTERPRISES + 1,
            first,
        )
    finally:
        kill(first)
    assert scratch.job(job_id)["state"] == "importing"
    assert scratch.enterprises() == 0  # the rows written so far died with the transaction

    second = scratch.worker("second")
    try:
        scratch.wait_for("the import", lambda: scratch.job(job_id)["state"] != "importing", second)
    finally:
        stop(second)
    job = scratch.job(job_id)
    assert (job["state"], job["attempts"], job["error"]) == ("done", 2, "")
    assert scratch.enterprises() == ENTERPRISES
    assert "RUNNING" not in [status for status, _ in scratch.tasks()]
    if not scratch.database_url:
        wal = scratch.sqlite_file.with_name("scoretrack.sqlite3-wal")
        assert not wal.exists() or wal.stat().st_size < 256 * 1024


def test_two_workers_take_each_job_once(scratch: Scratch, tmp_path: Path) -> None:
    small = tmp_path / "small.zip"
    with zipfile.ZipFile(small, "w") as archive:
        archive.writestr("countries.csv", "code,name,currency\nCO,Colombia,COP\n")
    job_ids = scratch.queue(small, copies=6)
    workers = [scratch.worker(f"w{n}") for n in range(2)]
    try:
        scratch.wait_for(
            "six checks",
            lambda: all(scratch.job(j)["state"] == "checked" for j in job_ids),
            workers[0],
        )
    finally:
        for worker in workers:
            stop(worker)
    assert [scratch.job(j)["attempts"] for j in job_ids] == [1] * 6
    tasks = scratch.tasks()
    assert [(status, len(ids)) for status, ids in tasks] == [("SUCCESSFUL", 1)] * 6
