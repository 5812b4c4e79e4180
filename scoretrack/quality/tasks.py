"""Background tasks of the quality app (run by `scoretrack worker`)."""

from __future__ import annotations

from django_tasks import task

from scoretrack.quality.runs import quality_run


@task()
def quality_run_task(run_id: str | None = None, country_id: str | None = None) -> None:
    quality_run(run_id=run_id, country_id=country_id)
