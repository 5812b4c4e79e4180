"""What a database error says: the database was busy, or it refused the data.

A lock not granted in time, a deadlock, a serialization failure or a lost
connection is the database's state at that moment, not the request's fault:
the same request may well succeed a moment later, so it is answered 503 with
`Retry-After` (`scoretrack.lib.busy`), never 500 and never a 400 that blames
the input. A unique violation is a real refusal, reported where it happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db import InterfaceError

# SQLite's primary result codes (the low byte of the extended ones):
# SQLITE_BUSY (another connection writes) and SQLITE_LOCKED (a table lock).
SQLITE_BUSY_CODES = {5, 6}
# PostgreSQL: serialization failure, deadlock, lock not available (lock_timeout),
# statement timeout, admin shutdown, crash shutdown, cannot connect now, too many
# connections; and class 08, connection exceptions.
PG_BUSY_STATES = {"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300"}
SQLITE_LOCK_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The error and those it was raised from (Django wraps the driver's)."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def is_busy(exc: BaseException) -> bool:
    """True when `exc` says the database was busy or out of reach, not that it refused."""
    for error in _chain(exc):
        if isinstance(error, InterfaceError):  # the connection was closed under us
            return True
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_BUSY_CODES
        if hasattr(error, "sqlstate") and hasattr(error, "pgconn"):  # psycopg's errors
            state = error.sqlstate
            if state is None:  # no answer from the server: the connection is gone
                return type(error).__name__ in {"OperationalError", "InterfaceError"}
            return state in PG_BUSY_STATES or state.startswith("08")
    message = str(exc).lower()
    return any(text in message for text in SQLITE_LOCK_MESSAGES)


_PG_KEY = re.compile(r"Key \((?P<columns>.+?)\)=\(")


def unique_columns(exc: BaseException) -> frozenset[str] | None:
    """The columns of the unique constraint `exc` reports broken; None when it
    is not a unique violation (or does not say which columns)."""
    for error in _chain(exc):
        if getattr(error, "sqlstate", None) == "23505":
            detail = getattr(getattr(error, "diag", None), "message_detail", None) or ""
            found = _PG_KEY.search(detail)
            if found:
                return frozenset(c.strip().strip('"') for c in found["columns"].split(","))
            return None
        text = str(error)
        if text.startswith("UNIQUE constraint failed: "):
            named = text.removeprefix("UNIQUE constraint failed: ").split(",")
            return frozenset(name.strip().rsplit(".", 1)[-1] for name in named)
    return None
