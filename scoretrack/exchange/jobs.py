"""Web imports: keep the upload, then check it and import it in the worker, whatever dies.

The request only does cheap checks (size, suffix, the first bytes) and queues
the step; `scoretrack worker` reads the file. Progress is written to a small
file beside the upload rather than to the database: the import runs inside one
long transaction, whose writes other connections cannot see (and, on SQLite,
could not make) until it ends. For the same reason the file's modification time
is the running job's heartbeat, touched by a thread every few seconds.

A job claimed by a worker names it (`holder`: host, pid and a token). A worker
finds at its start, then every minute, the jobs whose holder is gone (same host,
pid gone) or silent (heartbeat older than IMPORT_JOB_STALE_SECONDS): each is
queued again while it has attempts left, else failed with its reason. Its
upload is kept, so a failed step can be retried without a new upload. An import
is all or nothing (one transaction), so a step cut short wrote nothing.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.services import ImportReport, workbook_import
from scoretrack.lib.env import env_int
from scoretrack.lib.transient import (
    TRANSIENT,
    backoff,
    describe,
    reset_connections,
    retry_transient,
)

ACCEPTED_SUFFIXES = {".xlsx", ".zip", ".csv"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip
NOT_A_WORKBOOK = (
    "not an xlsx workbook, a zip of CSV files or a CSV file (xls and ods files: save as xlsx first)"
)
KEEP_UPLOADS = dt.timedelta(days=2)  # an upload nobody confirmed is forgotten after this
MAX_ATTEMPTS = 3  # runs of one step (check or import) before it is failed
HEARTBEAT_SECONDS = 5.0
# A worker looks for tasks every second; one busy with another import keeps the
# queue waiting longer, hence the margin before the page asks whether one runs.
WORKER_PATIENCE = dt.timedelta(seconds=30)
RUNNING = (ImportJob.State.CHECKING, ImportJob.State.IMPORTING)
STEP = {False: "check", True: "import"}
logger = logging.getLogger(__name__)


class UploadRefused(ValueError):
    """The upload is refused before any reading; the message says why."""


class WorkerLost(RuntimeError):
    """Recorded on a queued task whose worker stopped while running it."""


# --- the request: cheap checks, then the queue ----------------------------------------------


def import_job_create(*, user: Any, upload: UploadedFile) -> ImportJob:
    limit = settings.IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(f"the file is {upload.size:,} bytes, more than the {limit:,} allowed")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise UploadRefused("upload an .xlsx workbook, a .zip of CSV files or one .csv file")
    _check_first_bytes(upload, suffix)
    job = ImportJob(user=user, file_name=Path(upload.name or "").name[:255], size=upload.size or 0)
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job.id}{suffix}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.path = str(path)
    job.save()
    _forget_old_uploads()
    return job


def _check_first_bytes(upload: UploadedFile, suffix: str) -> None:
    """What the first 8 KB can tell: a zip (xlsx is one) or text. The rest is the worker's."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if not head:
        raise UploadRefused("the file is empty")
    if suffix != ".csv":
        if not head.startswith(ZIP_MAGIC):
            raise UploadRefused(NOT_A_WORKBOOK)
        return
    try:
        if b"\x00" in head:
            raise UnicodeDecodeError("utf-8", head, head.index(b"\x00"), len(head), "NUL")
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise UploadRefused("the CSV file is not UTF-8 text: save it as CSV UTF-8") from None


def _forget_old_uploads() -> None:
    old = ImportJob.objects.filter(created_at__lt=timezone.now() - KEEP_UPLOADS)
    for path in old.values_list("path", flat=True):
        Path(path).unlink(missing_ok=True)
        Path(f"{path}.progress").unlink(missing_ok=True)
    old.delete()


def import_job_start(*, job: ImportJob, commit: bool) -> None:
    """Queue the check (commit=False) or the import (commit=True) for the worker: a new series
    of attempts, whatever happened to the job before (a retry)."""
    job.state = ImportJob.State.IMPORTING if commit else ImportJob.State.CHECKING
    job.step = ImportJob.Step.IMPORT if commit else ImportJob.Step.CHECK
    job.attempts, job.holder, job.error = 0, "", ""
    job.queued_at, job.started_at = timezone.now(), None
    fields = ["state", "step", "attempts", "holder", "error", "queued_at", "started_at"]
    _write_progress(job, 0, 0)
    with transaction.atomic():  # queued with its task, or not at all
        job.save(update_fields=fields)
        _enqueue(job)


def import_job_retry(*, job: ImportJob) -> None:
    """Run a failed job's step again on the upload still kept."""
    if not job.retryable:
        raise ValueError("only a failed job whose upload is kept can be retried")
    import_job_start(job=job, commit=job.commit)


def import_job_waiting_long(job: ImportJob) -> bool:
    """Queued for longer than a worker, if one runs, takes to claim it."""
    return bool(job.queued and job.queued_at and timezone.now() - job.queued_at > WORKER_PATIENCE)


def _enqueue(job: ImportJob, delay: float = 0) -> None:
    from scoretrack.exchange.tasks import import_job_task

    task = import_job_task
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    result = task.enqueue(str(job.id), job.commit)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


# --- the worker: run one step ---------------------------------------------------------------


def import_job_run(*, job_id: str, commit: bool) -> None:
    """Claim the job and run its step; every outcome is recorded on the job, none is raised."""
    me = worker_identity()
    state = ImportJob.State.IMPORTING if commit else ImportJob.State.CHECKING
    claimed = ImportJob.objects.filter(pk=job_id, state=state, holder="").update(
        holder=me, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    if not claimed:  # finished, failed, or run by another worker: a duplicate task
        logger.info("import job %s: not waiting for its %s, skipped", job_id, STEP[commit])
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    _write_progress(job, 0, 0)
    with _Heartbeat(_progress_file(job)):
        try:
            report = workbook_import(
                source=job.path, user=job.user, dry_run=not commit, progress=_progress_writer(job)
            )
        except TRANSIENT as exc:
            logger.warning("import job %s: %s (attempt %d)", job_id, describe(exc), job.attempts)
            reset_connections()
            _retry_or_fail(job, f"the database was busy or unreachable ({describe(exc)})", me)
            return
        except Exception as exc:  # a defect: said in a sentence, the traceback goes to the log
            logger.exception("import job %s failed", job_id)
            reason = f"an unexpected error stopped the {STEP[commit]} ({describe(exc)})"
            _fail(job, f"{reason}; nothing was written", me)
            return
    _record(job, report, me)


def _record(job: ImportJob, report: ImportReport, me: str) -> None:
    state = ImportJob.State.DONE if report.committed else ImportJob.State.CHECKED
    retry_transient(
        lambda: ImportJob.objects.filter(pk=job.pk, holder=me).update(
            report=report.to_dict(), state=state, holder=""
        ),
        what=f"import job {job.pk}: recording its report",
    )
    if report.committed:
        Path(job.path).unlink(missing_ok=True)
        checkpoint_wal()
    _progress_file(job).unlink(missing_ok=True)


def _fail(job: ImportJob, reason: str, held_by: str) -> bool:
    def fail() -> int:
        return ImportJob.objects.filter(pk=job.pk, holder=held_by, state=job.state).update(
            state=ImportJob.State.FAILED, error=reason, holder=""
        )

    return bool(retry_transient(fail, what=f"import job {job.pk}: recording its failure"))


def _retry_or_fail(job: ImportJob, cause: str, held_by: str) -> bool:
    """Queue the step again while attempts remain, else fail the job with `cause`.

    Only if the job is still as seen (state, holder, attempts): of several workers
    recovering it at once, one acts. Returns whether this one did."""
    # A task lost before it claimed the job counts as an attempt too: a task that
    # always dies that early must not be queued again forever.
    attempts = job.attempts if held_by else job.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        step = STEP[job.commit]
        reason = f"{cause} during the {step} (attempt {attempts} of {MAX_ATTEMPTS})"
        return _fail(job, f"{reason}; nothing was written", held_by)

    def requeue() -> bool:
        with transaction.atomic():
            seen = ImportJob.objects.filter(
                pk=job.pk, state=job.state, holder=held_by, attempts=job.attempts
            )
            if not seen.update(
                holder="", attempts=attempts, queued_at=timezone.now(), started_at=None
            ):
                return False
            _write_progress(job, 0, 0)
            _enqueue(job, delay=backoff(job.attempts, first=2.0))
            return True

    return retry_transient(requeue, what=f"import job {job.pk}: queueing it again")


def _progress_writer(job: ImportJob) -> Callable[[int, int], None]:
    last = 0.0
    # Test-only: a pause after each chunk, so that a test can kill a worker mid-import.
    pause = env_int("SCORETRACK_TEST_CHUNK_PAUSE_MS", 0) / 1000

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last > 0.5 or done >= total:
            last = time.monotonic()
            _write_progress(job, done, total)
        if pause:
            time.sleep(pause)

    return progress


class _Heartbeat:
    """Touch a file every few seconds while a step runs: proof of life that takes no lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="import-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self.stop.wait(HEARTBEAT_SECONDS):
            # Removed or unreachable: the recovery then goes by the start time.
            with suppress(OSError):
                os.utime(self.path)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop.set()
        self.thread.join()


def checkpoint_wal() -> None:
    """SQLite: copy the write-ahead log into the database and truncate it to nothing.

    SQLite's own checkpoints never shrink the log file, so one big import would
    leave a log as big as itself; a killed import leaves its frames there too."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, frames, copied = cursor.fetchone()
    except TRANSIENT as exc:
        logger.warning("WAL checkpoint not done: %s", describe(exc))
        return
    if busy:
        logger.info("WAL checkpoint: readers were busy, %s of %s frames copied", copied, frames)


# --- recovery -----------------------------------------------------------------------------


_identity: tuple[int, str] | None = None


def worker_identity() -> str:
    """This process, as named on the jobs and tasks it holds: host, pid and a random token
    (a restarted worker in a container often gets its predecessor's pid)."""
    global _identity
    if _identity is None or _identity[0] != os.getpid():
        host = socket.gethostname()[:40]
        _identity = (os.getpid(), f"{host}:{os.getpid()}:{secrets.token_hex(4)}")
    return _identity[1]


def holder_gone(holder: str, idle_worker: str = "") -> bool:
    """Whether the process `holder` names is known to be gone.

    Known only on its own host (a pid that no longer runs, or this very pid in
    another life); an idle worker also knows it holds nothing. A holder on
    another host is judged by its heartbeat instead."""
    if idle_worker and holder == idle_worker:
        return True
    host, _, rest = holder.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return holder != worker_identity()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


def import_jobs_recover(*, idle_worker: str = "") -> int:
    """Queue again (or fail) every running job whose worker is gone; returns how many.

    `idle_worker`: the calling worker, between two tasks — anything it still holds
    was lost (a failed write of the outcome)."""
    _release_lost_tasks(idle_worker)
    stale = settings.IMPORT_JOB_STALE_SECONDS
    recovered = 0
    for job in ImportJob.objects.filter(state__in=RUNNING):
        if job.holder:
            lost = holder_gone(job.holder, idle_worker) or _silent_for(job) > stale
        else:
            lost = _queue_lost(job, stale)
        if not lost:
            continue
        step = STEP[job.commit]
        logger.warning(
            "import job %s: its worker %s stopped during the %s (attempt %d of %d)",
            job.pk,
            job.holder or "(none)",
            step,
            job.attempts,
            MAX_ATTEMPTS,
        )
        _fail_task(job.task_id, f"the worker {job.holder} stopped while running this task")
        recovered += _retry_or_fail(job, "the worker stopped", job.holder)
    return recovered


def _silent_for(job: ImportJob) -> float:
    """Seconds since the job's last sign of life: its heartbeat, else its start."""
    started = job.started_at.timestamp() if job.started_at else 0.0
    try:
        beat = _progress_file(job).stat().st_mtime
    except OSError:
        beat = 0.0
    return time.time() - max(started, beat)


def _queue_lost(job: ImportJob, stale: float) -> bool:
    """A queued job whose task is no longer waiting or running, or that never had one."""
    if not job.task_id:
        queued = job.queued_at or job.created_at
        return (timezone.now() - queued).total_seconds() > stale
    tasks = _database_tasks()
    if tasks is None:
        return False
    status = tasks.filter(pk=job.task_id).values_list("status", flat=True).first()
    return status not in ("READY", "RUNNING")


def _database_tasks() -> Any:
    """The queue's task rows when tasks go through the database, else None."""
    from django_tasks_db.backend import DatabaseBackend

    from scoretrack.exchange.tasks import import_job_task

    if not isinstance(import_job_task.get_backend(), DatabaseBackend):
        return None
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.all()


def _release_lost_tasks(idle_worker: str) -> None:
    """Fail the task rows left RUNNING by a worker that is gone."""
    tasks = _database_tasks()
    if tasks is None:
        return
    for pk, worker_ids in tasks.filter(status="RUNNING").values_list("pk", "worker_ids"):
        holder = worker_ids[-1] if worker_ids else ""
        if holder and holder_gone(holder, idle_worker):
            logger.warning("task %s: its worker %s is gone, marked failed", pk, holder)
            _fail_task(str(pk), f"the worker {holder} stopped while running this task")


def _fail_task(task_id: str, reason: str) -> None:
    tasks = _database_tasks()
    if tasks is None or not task_id:
        return
    tasks.filter(pk=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {reason}",
    )


# --- progress -----------------------------------------------------------------------------


def _progress_file(job: ImportJob) -> Path:
    return Path(f"{job.path}.progress")


def _write_progress(job: ImportJob, done: int, total: int) -> None:
    temporary = Path(f"{job.path}.progress.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps({"done": done, "total": total}))
        temporary.replace(_progress_file(job))  # atomic: a reader never sees half a file
    except OSError:
        logger.warning("import job %s: progress not written", job.pk, exc_info=True)


def import_job_progress(job: ImportJob) -> dict[str, int]:
    try:
        return json.loads(_progress_file(job).read_text())
    except (OSError, ValueError):
        return {"done": 0, "total": 0}
