"""`scoretrack worker`: run the queued background tasks (checks and imports of uploads).

django_tasks_db's `db_worker` with a loop of our own: its loop exits on any
database error but a locked SQLite database, so one dropped PostgreSQL
connection, or a lock held longer than the busy timeout, stopped every
background import until someone restarted it. Here a transient error is logged,
waited out (capped exponential backoff) on fresh connections, and the loop goes
on. At its start and every minute the worker also recovers the import jobs and
task rows a killed worker left behind, and truncates SQLite's write-ahead log.

Tasks are claimed as in db_worker (`select_for_update(skip_locked=True)` in an
exclusive transaction), so several workers never take one task; a job is
claimed again by its own row (`exchange/jobs.py`), so a task queued twice
cannot run one job twice either.
"""

from __future__ import annotations

import logging
import os
import random
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from scoretrack.exchange.jobs import checkpoint_wal, import_jobs_recover, worker_identity
from scoretrack.lib.freshness import data_version
from scoretrack.lib.sqlite import use_busy_timeout
from scoretrack.lib.transient import TRANSIENT, backoff, describe, reset_connections
from scoretrack.quality.runs import nightly_claim
from scoretrack.quality.tasks import quality_run_task
from scoretrack.reports.warm import is_warm, mark
from scoretrack.reports.warm import make as warm_page
from scoretrack.reports.warm import plan as warm_plan

RECOVER_EVERY = 60.0  # seconds between two looks for jobs lost by other workers
logger = logging.getLogger("django_tasks_db")


class ResilientWorker(Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failures = 0  # transient errors in a row
        self.next_recovery = 0.0
        self.next_warm = 0.0
        self.warmed: int | None = None  # the data version whose reports are being made
        self.pages: list[Any] = []  # the report pages still to make for it
        self.warm_started = 0.0

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # spreads workers started together
        while self.running:
            try:
                if time.monotonic() >= self.next_recovery:
                    self.recover()
                claimed = self.run_one()
                self.failures = 0
            except TRANSIENT as exc:
                self.failures += 1
                delay = backoff(self.failures)
                logger.warning(
                    "database error (%s in a row): %s; retrying in %.1f s",
                    self.failures,
                    describe(exc),
                    delay,
                )
                reset_connections()
                time.sleep(delay)
                continue
            if self.batch and not claimed:
                logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Ran %d tasks on worker_id=%s - exiting.",
                    self._run_tasks,
                    self.worker_id,
                )
                return
            if self.running and not claimed and not self.warm():
                time.sleep(self.interval)

    def warm(self) -> bool:
        """When idle: make the next report page of the warm-up (reports/warm.py), so
        that after a change of the data, or a start, the reports people open are
        kept (and their disclosure counts) before anyone asks. One page a turn, so
        that a queued task waits for one page at most; a new change, or the end of
        the time the last warm-up's pages are kept (its mark gone), starts the plan
        again, looked for at most every DISCLOSURE_WARM_SECONDS. Whether it made a page."""
        seconds = settings.DISCLOSURE_WARM_SECONDS
        if not seconds:
            return False
        if not self.pages and time.monotonic() >= self.next_warm:
            self.next_warm = time.monotonic() + seconds
            version = data_version()
            if version != self.warmed or not is_warm(version):
                self.warmed, self.pages = version, warm_plan()
                self.warm_started = time.monotonic()
        if not self.pages:
            return False
        page = self.pages.pop(0)
        try:
            warm_page(page)
        except Exception:  # a warm-up only saves readers time: never stop the worker for it
            logger.exception("making a report ahead of its readers failed")
            reset_connections()
            self.pages, self.warmed = [], None  # try again at the next look
            return False
        assert self.warmed is not None
        if _report_page(page) and (not self.pages or not _report_page(self.pages[0])):
            mark(self.warmed, "pages", self.warm_started)
            logger.info(
                "made the report pages ahead of their readers in %.1f s (data version %s)",
                time.monotonic() - self.warm_started,
                self.warmed,
            )
        if not self.pages:
            mark(self.warmed, "all", self.warm_started)
            logger.info(
                "made the reports ahead of their readers in %.1f s (data version %s)",
                time.monotonic() - self.warm_started,
                self.warmed,
            )
        return True

    def recover(self) -> None:
        """Retry or fail what dead workers left, then shrink SQLite's log (between tasks only)."""
        recovered = import_jobs_recover(idle_worker=self.worker_id)
        if recovered:
            logger.warning("recovered %d interrupted import job(s)", recovered)
        nightly = nightly_claim()  # the data-quality rules, once a night (quality/runs.py)
        if nightly is not None:
            quality_run_task.enqueue(run_id=str(nightly.pk))
        checkpoint_wal()
        self.next_recovery = time.monotonic() + RECOVER_EVERY

    def run_one(self) -> bool:
        """Claim one ready task and run it; whether there was one."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)  # RUNNING, with our id: no other worker takes it
        if task_result is None:
            return False
        self.run_task(task_result)
        close_old_connections()
        return True


class Command(DatabaseWorker):
    help = "Run queued background tasks (checks and imports of uploads). `make run` starts one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Named after the process, so that a dead worker's tasks and jobs can be told.
        parser.set_defaults(worker_id=worker_identity())

    def handle(self, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        # Nobody waits on a background import: it may wait longer for SQLite's lock
        # than a web request does (a staged import's short final write, say).
        use_busy_timeout(settings.SQLITE_WORKER_BUSY_SECONDS)
        if options["exclude_queues"] and "*" not in options["queue_name"].split(","):
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=[q for q in options["exclude_queues"].split(",") if q],
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # the child process, which runs the tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()


def _report_page(page: Any) -> bool:
    """A report's HTML page (the warm-up's first stage; tracking tables and PDFs follow)."""
    return page.format == "html" and page.kind == "report"
