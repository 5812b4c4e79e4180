"""An uploaded workbook on its way through check, preview, confirmation and import."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models


class ImportJobState(models.TextChoices):
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class ImportJobStep(models.TextChoices):
    CHECK = "check", "Check"
    IMPORT = "import", "Import"


class ImportJob(models.Model):
    """Not a domain record: the working state of one upload, seen only by its uploader.

    A running job (checking or importing) is queued while `holder` is blank, and
    run by the worker process `holder` names ("host:pid:token") once claimed;
    `exchange/jobs.py` finds the jobs whose holder died and retries or fails them.
    """

    State = ImportJobState
    Step = ImportJobStep

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500, help_text="Where the upload is kept until imported")
    size = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    step = models.CharField(
        max_length=6, choices=Step.choices, default=Step.CHECK, help_text="The step run last"
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Runs of the current step started so far (retries included)"
    )
    holder = models.CharField(
        max_length=100, blank=True, help_text="The worker running the step (host:pid:token)"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="Its task in the queue")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)

    @property
    def commit(self) -> bool:
        """Whether the step writes (the import) or not (the check)."""
        return self.step == self.Step.IMPORT

    @property
    def queued(self) -> bool:
        """Running, but no worker has claimed it yet."""
        return self.running and not self.holder

    @property
    def retryable(self) -> bool:
        """Failed, and its upload is still kept: the step can run again without a new upload."""
        return self.state == self.State.FAILED and bool(self.path) and Path(self.path).is_file()
