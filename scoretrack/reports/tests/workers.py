"""An idle worker for the warm-up's tests (reports/warm.py), and its turns."""

from __future__ import annotations

import pytest

from scoretrack.exchange.management.commands import worker as worker_command


def idle_worker() -> worker_command.ResilientWorker:
    return worker_command.ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="testhost:1:worker",
        excluded_queue_names=[],
    )


def turns(worker: worker_command.ResilientWorker, now: float) -> int:
    """The worker's idle turns at one moment, until it has nothing to make; how many made one."""
    made = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker_command.time, "monotonic", lambda: now)
        while worker.warm():
            made += 1
    return made
