"""Web imports: keep the upload, check it, then import it, in the request or in the worker.

Progress is written to a small file beside the upload rather than to the
database: the import runs inside one long transaction, whose writes other
connections cannot see (and, on SQLite, could not make) until it ends.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.services import workbook_import

ACCEPTED_SUFFIXES = {".xlsx", ".zip", ".csv"}
KEEP_UPLOADS = dt.timedelta(days=2)  # an upload nobody confirmed is forgotten after this
logger = logging.getLogger(__name__)


class UploadRefused(ValueError):
    """The upload is refused before any reading; the message says why."""


def import_job_create(*, user: Any, upload: UploadedFile) -> ImportJob:
    limit = settings.IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(f"the file is {upload.size:,} bytes, more than the {limit:,} allowed")
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise UploadRefused("upload an .xlsx workbook, a .zip of CSV files or one .csv file")
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


def _forget_old_uploads() -> None:
    old = ImportJob.objects.filter(created_at__lt=timezone.now() - KEEP_UPLOADS)
    for path in old.values_list("path", flat=True):
        Path(path).unlink(missing_ok=True)
        Path(f"{path}.progress").unlink(missing_ok=True)
    old.delete()


def import_job_start(*, job: ImportJob, commit: bool) -> None:
    """Check (commit=False) or import (commit=True): small files now, big ones in the worker."""
    from scoretrack.exchange.tasks import import_job_task

    job.state = ImportJob.State.IMPORTING if commit else ImportJob.State.CHECKING
    job.save(update_fields=["state"])
    _write_progress(job, 0, 0)
    if job.size <= settings.IMPORT_BACKGROUND_BYTES:
        import_job_run(job_id=str(job.id), commit=commit)
    else:
        import_job_task.enqueue(str(job.id), commit)


def import_job_run(*, job_id: str, commit: bool) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last > 0.5 or done >= total:
            last = time.monotonic()
            _write_progress(job, done, total)

    try:
        report = workbook_import(
            source=job.path, user=job.user, dry_run=not commit, progress=progress
        )
    except Exception as exc:  # the page must say what happened, whatever happened
        logger.exception("import job %s failed", job_id)
        job.state, job.error = ImportJob.State.FAILED, f"{type(exc).__name__}: {exc}"
        job.save(update_fields=["state", "error"])
        return
    job.report = report.to_dict()
    job.state = ImportJob.State.DONE if report.committed else ImportJob.State.CHECKED
    job.save(update_fields=["report", "state"])
    if report.committed:
        Path(job.path).unlink(missing_ok=True)
    _progress_file(job).unlink(missing_ok=True)


def _progress_file(job: ImportJob) -> Path:
    return Path(f"{job.path}.progress")


def _write_progress(job: ImportJob, done: int, total: int) -> None:
    temporary = Path(f"{job.path}.progress.tmp")
    temporary.write_text(json.dumps({"done": done, "total": total}))
    temporary.replace(_progress_file(job))  # atomic: a reader never sees half a file


def import_job_progress(job: ImportJob) -> dict[str, int]:
    try:
        return json.loads(_progress_file(job).read_text())
    except (OSError, ValueError):
        return {"done": 0, "total": 0}
