"""Import jobs: nothing read in the request, retries, recovery of jobs a dead worker held."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange import jobs
from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.conftest import BASICS, write_xlsx

IMPORT = reverse("exchange:import")
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
BASICS_ROWS = 7  # countries 1, modules 1, rates 1, organisations 2, enterprises 2


@pytest.fixture(autouse=True)
def import_dir(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


@pytest.fixture
def database_queue(settings: Any) -> None:
    """Tasks wait in the database queue, as in production, instead of running at once."""
    settings.TASKS = DATABASE_QUEUE


def upload(client: Client, name: str, content: bytes) -> Any:
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)}, follow=True)


def basics(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "upload.xlsx", BASICS).read_bytes()


def a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # reaped: the pid now names no process
    return process.pid


def held_job(admin: Any, tmp_path: Path, *, holder: str, commit: bool, attempts: int) -> ImportJob:
    path = write_xlsx(tmp_path / f"held-{attempts}-{commit}.xlsx", BASICS)
    state = ImportJob.State.IMPORTING if commit else ImportJob.State.CHECKING
    return ImportJob.objects.create(
        user=admin,
        file_name="held.xlsx",
        path=str(path),
        size=path.stat().st_size,
        state=state,
        step=ImportJob.Step.IMPORT if commit else ImportJob.Step.CHECK,
        holder=holder,
        attempts=attempts,
        queued_at=timezone.now(),
        started_at=timezone.now(),
    )


# --- the request reads nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n", "Not an xlsx workbook, a zip of CSV files or a CSV"),
        ("data.zip", b"%PDF-1.7 not a zip", "Not an xlsx workbook, a zip of CSV files or a CSV"),
        ("countries.csv", b"code,name\nCO,Bogot\xe1\n", "The CSV file is not UTF-8 text"),
        ("countries.csv", b"c\x00o\x00d\x00e\x00", "The CSV file is not UTF-8 text"),
        ("empty.csv", b"", "The file is empty"),
    ],
)
def test_the_upload_refuses_what_its_first_bytes_show_is_no_workbook(
    admin_client: Client, import_dir: Path, name: str, content: bytes, message: str
) -> None:
    response = upload(admin_client, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not import_dir.exists() or not any(import_dir.iterdir())


def test_an_upload_is_queued_for_the_worker_and_not_read_in_the_request(
    admin_client: Client, tmp_path: Path, database_queue: None
) -> None:
    with mock.patch.object(jobs, "workbook_import", side_effect=AssertionError("read")):
        response = upload(admin_client, "basics.xlsx", basics(tmp_path))
    assert response.status_code == 200
    assert "Waiting for the worker…" in response.content.decode()
    job = ImportJob.objects.get()
    assert (job.state, job.holder, job.attempts, job.report) == ("checking", "", 0, None)
    task = DBTaskResult.objects.get()
    assert str(task.pk) == job.task_id
    assert (task.status, task.args_kwargs["args"]) == ("READY", [str(job.id), False])


def test_a_job_no_worker_claims_asks_whether_the_worker_runs(
    admin_client: Client, tmp_path: Path, database_queue: None
) -> None:
    upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    ImportJob.objects.update(queued_at=timezone.now() - dt.timedelta(seconds=31))
    page = admin_client.get(reverse("exchange:import-job", args=[job.id])).content.decode()
    assert "No worker has picked this up yet — is <code>scoretrack worker</code> running?" in page
    assert 'hx-trigger="every 1s"' in page


# --- failures a person can read, and the retry button ---------------------------------------


def test_an_unexpected_error_fails_the_job_with_a_sentence_not_a_traceback(
    admin_client: Client, tmp_path: Path
) -> None:
    with mock.patch.object(jobs, "workbook_import", side_effect=KeyError("sheet")):
        response = upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    assert job.state == "failed"
    assert job.error == (
        "an unexpected error stopped the check (KeyError: 'sheet'); nothing was written"
    )
    assert "Traceback" not in response.content.decode()


def test_the_retry_button_checks_the_kept_upload_again(
    admin_client: Client, tmp_path: Path
) -> None:
    with mock.patch.object(jobs, "workbook_import", side_effect=KeyError("sheet")):
        upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    url = reverse("exchange:import-retry", args=[job.id])
    page = admin_client.get(reverse("exchange:import-job", args=[job.id])).content.decode()
    assert f'<form method="post" action="{url}">' in page
    assert 'name="csrfmiddlewaretoken"' in page and "Check the file again</button>" in page

    response = admin_client.post(url, follow=True)
    assert f"Import {BASICS_ROWS} rows</button>" in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.error, job.attempts) == ("checked", "", 1)
    assert ImportJob.objects.count() == 1  # the same job, the same upload


def test_the_retry_button_needs_post_a_failed_job_its_owner_and_the_upload(
    admin_client: Client, admin: Any, tmp_path: Path
) -> None:
    with mock.patch.object(jobs, "workbook_import", side_effect=KeyError("sheet")):
        upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    url = reverse("exchange:import-retry", args=[job.id])
    assert admin_client.get(url).status_code == 405
    other = Client()
    other.force_login(type(admin).objects.create_user(email="o@x.org", password="pw-o-12345"))
    assert other.post(url).status_code == 404
    Path(job.path).unlink()
    page = admin_client.get(reverse("exchange:import-job", args=[job.id])).content.decode()
    assert "again</button>" not in page and "Upload a file" in page
    assert admin_client.post(url).status_code == 409
    ImportJob.objects.update(state="checked", error="")
    assert admin_client.post(url).status_code == 409


def test_confirming_an_import_that_failed_runs_it_again_without_a_new_upload(
    admin_client: Client, tmp_path: Path
) -> None:
    upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    confirm = reverse("exchange:import-confirm", args=[job.id])
    with mock.patch.object(jobs, "workbook_import", side_effect=KeyError("x")):
        admin_client.post(confirm)
    job.refresh_from_db()
    assert (job.state, job.commit) == ("failed", True)
    page = admin_client.get(reverse("exchange:import-job", args=[job.id])).content.decode()
    assert "Try the import again</button>" in page

    response = admin_client.post(confirm, follow=True)
    assert f"Imported {BASICS_ROWS} rows." in response.content.decode()
    assert sorted(Enterprise.objects.values_list("key", flat=True)) == ["E1", "E2"]


# --- transient errors inside a job ----------------------------------------------------------


def test_a_transient_error_in_a_job_runs_it_again_as_another_attempt(
    admin_client: Client, tmp_path: Path
) -> None:
    calls: list[int] = []

    def locked_once(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return workbook_import(**kwargs)

    with mock.patch.object(jobs, "workbook_import", side_effect=locked_once):
        upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    assert (job.state, job.attempts, len(calls)) == ("checked", 2, 2)


def test_a_transient_error_on_every_attempt_fails_the_job_after_three(
    admin_client: Client, tmp_path: Path
) -> None:
    locked = OperationalError("database is locked")
    with mock.patch.object(jobs, "workbook_import", side_effect=locked) as run:
        upload(admin_client, "basics.xlsx", basics(tmp_path))
    job = ImportJob.objects.get()
    assert (job.state, job.attempts, run.call_count) == ("failed", 3, 3)
    assert job.error == (
        "the database was busy or unreachable (OperationalError: database is locked) "
        "during the check (attempt 3 of 3); nothing was written"
    )
    assert job.retryable


# --- recovery of jobs whose worker is gone --------------------------------------------------


def test_a_job_held_by_a_dead_worker_is_queued_again(
    admin: Any, tmp_path: Path, database_queue: None
) -> None:
    holder = f"{jobs.socket.gethostname()}:{a_dead_pid()}:0badc0de"
    job = held_job(admin, tmp_path, holder=holder, commit=True, attempts=1)
    assert jobs.import_jobs_recover() == 1
    job.refresh_from_db()
    assert (job.state, job.holder, job.attempts, job.started_at) == ("importing", "", 1, None)
    task = DBTaskResult.objects.get()
    assert (str(task.pk), task.status) == (job.task_id, "READY")
    assert task.args_kwargs["args"] == [str(job.id), True]
    assert task.run_after > timezone.now()  # after a pause: 2 s for a second attempt


def test_a_job_whose_worker_died_three_times_fails_with_its_reason(
    admin: Any, tmp_path: Path, database_queue: None
) -> None:
    holder = f"{jobs.socket.gethostname()}:{a_dead_pid()}:0badc0de"
    job = held_job(admin, tmp_path, holder=holder, commit=True, attempts=3)
    assert jobs.import_jobs_recover() == 1
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error == "the worker stopped during the import (attempt 3 of 3); nothing was written"
    assert job.retryable
    assert not DBTaskResult.objects.exists()


def test_jobs_of_live_workers_are_left_alone(
    admin: Any, tmp_path: Path, database_queue: None
) -> None:
    mine = held_job(admin, tmp_path, holder=jobs.worker_identity(), commit=False, attempts=1)
    abroad = held_job(admin, tmp_path, holder="elsewhere:1:cafe", commit=True, attempts=1)
    jobs._write_progress(abroad, 10, 100)  # a fresh heartbeat
    assert jobs.import_jobs_recover() == 0
    assert set(ImportJob.objects.values_list("holder", flat=True)) == {mine.holder, abroad.holder}


def test_a_job_on_another_host_whose_heartbeat_stopped_is_queued_again(
    admin: Any, tmp_path: Path, database_queue: None, settings: Any
) -> None:
    settings.IMPORT_JOB_STALE_SECONDS = 300
    job = held_job(admin, tmp_path, holder="elsewhere:1:cafe", commit=False, attempts=1)
    jobs._write_progress(job, 10, 100)
    old = timezone.now() - dt.timedelta(seconds=301)
    os.utime(jobs._progress_file(job), (old.timestamp(), old.timestamp()))
    ImportJob.objects.filter(pk=job.pk).update(started_at=old)
    assert jobs.import_jobs_recover() == 1
    job.refresh_from_db()
    assert (job.state, job.holder) == ("checking", "")


def test_an_idle_worker_recovers_a_job_it_still_holds(
    admin: Any, tmp_path: Path, database_queue: None
) -> None:
    job = held_job(admin, tmp_path, holder="host:1:me", commit=False, attempts=1)
    assert jobs.import_jobs_recover(idle_worker="host:2:other") == 0
    assert jobs.import_jobs_recover(idle_worker="host:1:me") == 1
    job.refresh_from_db()
    assert job.holder == ""


def test_a_task_left_running_by_a_dead_worker_is_failed_and_its_job_queued_again(
    admin: Any, tmp_path: Path, database_queue: None
) -> None:
    from scoretrack.exchange.tasks import import_job_task

    job = held_job(admin, tmp_path, holder="", commit=False, attempts=0)
    result = import_job_task.enqueue(str(job.id), False)
    dead = f"{jobs.socket.gethostname()}:{a_dead_pid()}:0badc0de"
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=[dead])
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    assert jobs.import_jobs_recover() == 1
    lost = DBTaskResult.objects.get(pk=result.id)
    assert lost.status == "FAILED"
    assert lost.traceback == f"WorkerLost: the worker {dead} stopped while running this task"
    job.refresh_from_db()
    assert (job.state, job.holder, job.attempts) == ("checking", "", 1)
    assert DBTaskResult.objects.filter(status="READY").get().pk != lost.pk


def test_a_job_queued_twice_runs_once(admin: Any, tmp_path: Path) -> None:
    job = held_job(admin, tmp_path, holder="", commit=False, attempts=0)
    with mock.patch.object(jobs, "workbook_import", side_effect=workbook_import) as run:
        jobs.import_job_run(job_id=str(job.id), commit=False)
        jobs.import_job_run(job_id=str(job.id), commit=False)  # the duplicate finds it done
        jobs.import_job_run(job_id=str(job.id), commit=True)  # and a task of another step too
    job.refresh_from_db()
    assert (job.state, job.attempts, run.call_count) == ("checked", 1, 1)
