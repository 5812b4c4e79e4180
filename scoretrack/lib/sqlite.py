"""The one SQLite configuration, whichever way the database is named.

The default (a file in the data folder) and `DATABASE_URL=sqlite:///...` get the
same connection options: write-ahead logging (readers never wait for the
writer), `synchronous=NORMAL` (safe with WAL), foreign keys, a 64 MB page cache,
IMMEDIATE transactions (a transaction takes the write lock when it begins, so
it waits there for the busy timeout instead of failing at once when it first
writes after a read), and the busy timeout: how long a connection waits for the
write lock before "database is locked" (answered 503 with Retry-After).
"""

from __future__ import annotations

from typing import Any

ENGINE = "django.db.backends.sqlite3"
PRAGMAS = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA cache_size=-64000;"
)


def configured(database: dict[str, Any], *, busy_seconds: float) -> dict[str, Any]:
    """`database` (a DATABASES entry) with the SQLite options; others unchanged."""
    if database.get("ENGINE") != ENGINE:
        return database
    options = {
        **database.get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        # sqlite3.connect's timeout is SQLite's busy timeout.
        "timeout": busy_seconds,
        "init_command": PRAGMAS,
    }
    return {**database, "OPTIONS": options}


def use_busy_timeout(seconds: float, alias: str = "default") -> None:
    """From now on, this process's connections to `alias` wait `seconds` for the
    write lock (its current connection is closed; the next one takes it).

    Web requests should not wait long (SQLITE_BUSY_SECONDS); a background
    import, which nobody watches, can wait longer (the worker calls this with
    SQLITE_WORKER_BUSY_SECONDS). No effect on other databases."""
    from django.db import connections

    connection = connections[alias]
    if connection.vendor != "sqlite":
        return
    connection.settings_dict.setdefault("OPTIONS", {})["timeout"] = seconds
    connection.close()
