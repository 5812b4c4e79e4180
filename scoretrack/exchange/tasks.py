"""Background tasks of the exchange app (run by `scoretrack worker`)."""

from __future__ import annotations

from django_tasks import task

from scoretrack.exchange.jobs import import_job_run


@task()
def import_job_task(job_id: str, commit: bool) -> None:
    import_job_run(job_id=job_id, commit=commit)
