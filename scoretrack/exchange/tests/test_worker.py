"""`scoretrack worker` in this process: transient database errors are waited out, not fatal."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from scoretrack.exchange.jobs import import_job_create, import_job_start
from scoretrack.exchange.management.commands import worker as worker_command
from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.tests.conftest import BASICS, write_xlsx

pytestmark = pytest.mark.django_db(transaction=True)  # the worker opens its own transactions


@pytest.fixture
def queued_job(settings: Any, tmp_path: Path, admin_user: Any) -> ImportJob:
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    data = write_xlsx(tmp_path / "basics.xlsx", BASICS).read_bytes()
    job = import_job_create(user=admin_user, upload=SimpleUploadedFile("basics.xlsx", data))
    import_job_start(job=job, commit=False)
    return job


def a_worker() -> worker_command.ResilientWorker:
    return worker_command.ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,  # returns once the queue is empty
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="testhost:1:worker",
        excluded_queue_names=[],
    )


def test_the_worker_waits_out_database_errors_and_then_runs_the_job(
    queued_job: ImportJob, caplog: Any
) -> None:
    errors = [
        OperationalError("database is locked"),
        OperationalError("server closed the connection unexpectedly"),
        OperationalError("could not serialize access due to concurrent update"),
        InterfaceError("connection already closed"),
    ]
    claim = DBTaskResultQuerySet.get_locked

    def flaky(self: DBTaskResultQuerySet) -> Any:
        if errors:
            raise errors.pop(0)
        return claim(self)

    sleeps: list[float] = []
    with (
        mock.patch.object(DBTaskResultQuerySet, "get_locked", flaky),
        mock.patch.object(worker_command.time, "sleep", sleeps.append),
    ):
        a_worker().run()
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # doubling after each error in a row
    queued_job.refresh_from_db()
    assert (queued_job.state, queued_job.attempts) == ("checked", 1)
    # the import ran (the night's quality run, queued by the same worker, may be beside it)
    (done,) = DBTaskResult.objects.filter(task_path__startswith="scoretrack.exchange.")
    assert done.status == "SUCCESSFUL"
    warnings = [r.getMessage() for r in caplog.records if "database error" in r.getMessage()]
    assert warnings[0] == (
        "database error (1 in a row): OperationalError: database is locked; retrying in 0.5 s"
    )
    assert len(warnings) == 4


def test_the_backoff_is_capped_and_starts_again_after_a_success(queued_job: Any) -> None:
    failures = iter([True] * 9 + [False] + [True] + [False] * 100)
    claim = DBTaskResultQuerySet.get_locked

    def flaky(self: DBTaskResultQuerySet) -> Any:
        if next(failures):
            raise OperationalError("database is locked")
        return claim(self)

    sleeps: list[float] = []
    with (
        mock.patch.object(DBTaskResultQuerySet, "get_locked", flaky),
        mock.patch.object(worker_command.time, "sleep", sleeps.append),
    ):
        a_worker().run()  # 9 errors, the job, 1 error, the empty queue
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0, 0.5]
    queued_job.refresh_from_db()
    assert queued_job.state == "checked"
