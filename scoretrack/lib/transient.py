"""Database errors that pass: retried with a capped exponential backoff, logged, never fatal.

SQLite says "database is locked" when another process holds the write lock past
the busy timeout; PostgreSQL drops connections on restart and aborts
transactions on serialization failures and deadlocks. Django raises all of them
as `OperationalError` (or `InterfaceError` for a connection already closed).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections

TRANSIENT: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
FIRST_DELAY = 0.5  # seconds
MAX_DELAY = 30.0

T = TypeVar("T")
logger = logging.getLogger(__name__)


def backoff(failures: int, first: float = FIRST_DELAY, cap: float = MAX_DELAY) -> float:
    """The wait after `failures` failures in a row: first, 2 × first, 4 × first, … up to cap."""
    return min(cap, first * 2 ** max(failures - 1, 0))


def reset_connections() -> None:
    """Close every connection outside a transaction, so the next query opens a fresh one.

    A connection that failed may be broken (PostgreSQL restarted) or left in an
    aborted transaction; one inside a transaction is left to whoever opened it.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            # Closing a dead connection may fail too; it is gone either way.
            with suppress(*TRANSIENT):
                connection.close()


def retry_transient(
    action: Callable[[], T],
    *,
    what: str,
    attempts: int = 8,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `action`, retrying it on a transient error; the last error is raised.

    With the defaults it keeps trying for about a minute (0.5 + 1 + … + 30 s).
    """
    for failure in range(1, attempts + 1):
        try:
            return action()
        except TRANSIENT as exc:
            if failure == attempts:
                raise
            delay = backoff(failure)
            logger.warning("%s: %s (retrying in %.1f s)", what, describe(exc), delay)
            reset_connections()
            sleep(delay)
    raise AssertionError("unreachable")


def describe(exc: BaseException) -> str:
    """A one-line description of an error, for logs and job reasons (never a traceback)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
