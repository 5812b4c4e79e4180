"""Big imports on SQLite: worked out on a copy, written in one short transaction.

SQLite has one writer at a time. An import run straight on the database holds
the write lock from its first row to its commit (25 s for 200,000 rows), and
every page or API write waits behind it. A staged import instead:

1. copies the database (SQLite's online backup: a consistent snapshot, taken
   under a read lock only, which writers do not wait for in WAL mode);
2. runs the whole import on the copy, the ordinary way (parsing, references,
   rules, scope, history), while recording each write statement that took
   effect and how many rows it changed, and, by triggers installed on the
   copy only, the image of every existing record row the import updated or
   deleted as it was before;
3. takes the write lock on the database and, in one transaction, checks that
   none of those rows changed since the snapshot, then replays the recorded
   statements, each of which must change as many rows as it did on the copy.

A check (dry run) needs only steps 1 and 2. Other writers wait only for step 3:
statements replayed in the database engine, no Python per row. If someone
changed what the import was about to change (a lost update in the making), or a
statement would now touch other rows than it did on the copy, the transaction is
rolled back and the import is worked out again on a new copy; after
`ATTEMPTS` such conflicts it runs straight on the database, as an unstaged
import does, so that it always ends.

The derived rows are not part of the replay: the database's triggers queue the
enterprises the replayed writes touch, and `derived.refresh()` rebuilds them
after the commit, in its own transaction, as it would for any other writer. A
table the import only inserted into has its queue trigger set aside for the
replay and its new rows' enterprises queued in one statement instead.

The copy carries only what the import reads there (issue 21): no queue triggers,
no history rows (recorded for the replay, not written), and, for a table small
beside the import, no sync or author-stamp indexes. Unique indexes always stay:
they are rules the rows are checked against on the copy.

Rows an import reads without writing (a referenced delivery's country, say) are
not compared: a change to them between the snapshot and the commit is not seen.
"""

from __future__ import annotations

import copy
import logging
import pickle
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from simple_history.models import HistoricalChanges

from scoretrack.lib.db_errors import is_busy

logger = logging.getLogger(__name__)

ATTEMPTS = 3  # copies worked out before an import runs straight on the database
COPY_PRAGMAS = (
    "PRAGMA journal_mode=WAL;PRAGMA synchronous=OFF;"
    "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;"
)
# A table's unread indexes are dropped on the copy when it holds at most this many
# rows per row of the import's first batch into it (`Stage._lighten_table`).
LIGHTEN_ROWS = 50
TOUCHED = "_staged_touched"
BOUNDS = "_staged_bounds"
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|WITH)\b", re.IGNORECASE)
_TARGET = re.compile(r'\s*(INSERT|UPDATE|DELETE)\s+(?:INTO\s+|FROM\s+)?"(\w+)"', re.IGNORECASE)
_SAVEPOINT = re.compile(r'\s*(SAVEPOINT|RELEASE|ROLLBACK TO)\s+(?:SAVEPOINT\s+)?"?([\w]+)"?', re.I)


class Conflict(Exception):
    """The database changed under the import since its snapshot."""


def wanted(source: str | Path | None) -> bool:
    """Whether an import of `source` is staged: on SQLite, outside a transaction
    (inside one the caller holds the lock anyway), for a file of at least
    IMPORT_STAGE_BYTES (a copy of the database costs more than a small import)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return False
    limit = settings.IMPORT_STAGE_BYTES
    if limit < 0 or source is None:
        return False
    return _size(Path(source)) >= limit


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    return path.stat().st_size if path.exists() else 0


def tracked_tables() -> list[str]:
    """The tables whose rows an import writes and another writer may change too:
    the records' tables and their many-to-many tables; not history (only ever
    added to) nor derived rows (rebuilt after the commit)."""
    from scoretrack.lib.models import Record

    tables = []
    for model in apps.get_models():
        if issubclass(model, Record):
            tables.append(model._meta.db_table)
            tables += [
                f.remote_field.through._meta.db_table
                for f in model._meta.local_many_to_many
                if f.remote_field.through._meta.auto_created
            ]
    return sorted(set(tables))


class Stage:
    """One attempt: a copy of the database, the import's statements and the row
    images they depend on."""

    def __init__(self) -> None:
        folder = Path(settings.IMPORT_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"stage-{uuid.uuid4().hex}"
        self.path = folder / f"{name}.sqlite3"
        self.log_path = folder / f"{name}.log"
        self.main = connections[DEFAULT_DB_ALIAS]
        self.tables: list[str] = []
        self._log: Any = None
        self._savepoints: list[tuple[str, int, int]] = []
        self.statements = 0
        # table -> the verbs of the import's writes to it (None: a write was
        # recorded whose table its SQL does not plainly name)
        self.verbs: dict[str, set[str]] | None = {}
        self._history: frozenset[str] | None = None
        self._lightened: set[str] = set()  # tables whose indexes were looked at

    # --- 1. the copy ---------------------------------------------------------------

    def snapshot(self, track: bool) -> None:
        self.main.ensure_connection()
        target = sqlite3.connect(self.path)
        try:
            self.main.connection.backup(target)
            _lighten(target)
            if track:
                self.tables = tracked_tables()
                _install_tracking(target, self.tables)
            target.commit()
        finally:
            target.close()

    # --- 2. the import on the copy, its writes recorded ----------------------------

    @contextmanager
    def on_copy(self, record: bool) -> Iterator[None]:
        """Make the copy this thread's default database for the block."""
        settings_dict = copy.deepcopy(self.main.settings_dict)
        settings_dict.update(NAME=str(self.path), CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
        settings_dict["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            # A private scratch file: nothing to wait for, nothing to keep safe
            # (synchronous=OFF). Write-ahead logging as on the database: with a
            # rollback journal in memory, the import's bulk inserts on the copy
            # took 5x as long at 100,000 rows, growing faster than the rows
            # (BENCHMARKS.md, "Import: the staged copy's journal").
            "init_command": COPY_PRAGMAS,
        }
        work = type(self.main)(settings_dict, alias=DEFAULT_DB_ALIAS)
        connections[DEFAULT_DB_ALIAS] = work
        try:
            if record:
                self._log = self.log_path.open("wb")
                with work.execute_wrapper(self._record):
                    yield
            else:
                yield
        finally:
            if self._log is not None:
                self._log.close()
            work.close()
            connections[DEFAULT_DB_ALIAS] = self.main

    def _record(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        savepoint = _SAVEPOINT.match(sql)
        if savepoint:
            result = execute(sql, params, many, context)
            self._savepoint(savepoint.group(1).upper(), savepoint.group(2))
            return result
        if not _WRITE.match(sql):
            return execute(sql, params, many, context)
        if many:
            params = list(params)  # an iterator is read once: here, to keep it
        target = _TARGET.match(sql)
        returning = "RETURNING" in sql.upper()
        if many and not returning and self._unread_insert(target):
            # History rows: nothing reads them on the copy; written on the database only.
            result, rowcount = None, len(params)
        else:
            if many and target is not None and target.group(1).upper() == "INSERT":
                self._lighten_table(context["cursor"], target.group(2), len(params))
            result = execute(sql, params, many, context)
            rowcount = -1 if returning else context["cursor"].rowcount
        pickle.dump((sql, params, many, rowcount), self._log, protocol=pickle.HIGHEST_PROTOCOL)
        self.statements += 1
        if target is None:
            self.verbs = None
        elif self.verbs is not None:
            self.verbs.setdefault(target.group(2), set()).add(target.group(1).upper())
        return result

    def _lighten_table(self, cursor: Any, table: str, rows: int) -> None:
        """Before the import's first bulk insert into `table` on the copy, drop the
        table's `unread_indexes` there, when the table is small beside the batch
        (dropping an index costs its size: not worth it for a big table)."""
        if table in self._lightened:
            return
        self._lightened.add(table)
        cursor.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM "{table}"')
        if cursor.fetchone()[0] > LIGHTEN_ROWS * rows:
            return
        for name in unread_indexes(cursor, table):
            cursor.execute(f'DROP INDEX "{name}"')

    def _unread_insert(self, target: re.Match[str] | None) -> bool:
        """A plain INSERT into a history table: rows only ever added, which nothing
        the import asks of the copy reads (each was a third of the copy's writes)."""
        if target is None or target.group(1).upper() != "INSERT":
            return False
        if self._history is None:
            self._history = history_tables()
        return target.group(2) in self._history

    def _savepoint(self, verb: str, name: str) -> None:
        """Statements undone by a rollback to a savepoint are struck from the log:
        the log holds what took effect, in order."""
        if verb == "SAVEPOINT":
            self._log.flush()
            self._savepoints.append((name, self._log.tell(), self.statements))
        elif verb == "RELEASE":
            while self._savepoints and self._savepoints.pop()[0] != name:
                pass
        else:  # ROLLBACK TO: the savepoint stays, its statements go
            for saved, offset, count in reversed(self._savepoints):
                if saved == name:
                    self._log.flush()
                    self._log.truncate(offset)
                    self._log.seek(offset)
                    self.statements = count
                    break

    # --- 3. the short transaction on the database -------------------------------------

    def apply(self) -> None:
        """Replay the import's writes on the database, or raise Conflict."""
        with self.main.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS staged", [str(self.path)])
        try:
            with transaction.atomic(using=DEFAULT_DB_ALIAS), self.main.cursor() as cursor:
                self._compare(cursor)
                with self._row_triggers_set_aside(cursor):
                    self._replay(cursor)
        except DatabaseError as exc:
            if is_busy(exc):  # the lock not had in time: the worker tries again later
                raise
            # A unique key taken meanwhile, a table changed by a migration...
            raise Conflict(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
        finally:
            with self.main.cursor() as cursor:
                cursor.execute("DETACH DATABASE staged")

    def _compare(self, cursor: Any) -> None:
        """Every row the import updated or deleted is as it was in the snapshot."""
        for table in self.tables:
            columns = _columns(cursor, "staged", table)
            if not columns:
                continue
            image = _image("m", columns)
            cursor.execute(
                f"SELECT t.rid FROM staged.{TOUCHED} t "
                f'LEFT JOIN main."{table}" m ON m.rowid = t.rid '
                f"WHERE t.tbl = %s AND t.seq IN (SELECT MIN(seq) FROM staged.{TOUCHED} "
                f"WHERE tbl = %s GROUP BY rid) "
                f"AND t.rid <= (SELECT top FROM staged.{BOUNDS} WHERE tbl = %s) "
                f"AND t.image IS NOT ({image}) LIMIT 1",
                [table, table, table],
            )
            if cursor.fetchone() is not None:
                raise Conflict(f"a row of {table} was changed by another writer")

    @contextmanager
    def _row_triggers_set_aside(self, cursor: Any) -> Iterator[None]:
        """Replay a table's inserts without its derived-row queue trigger, then
        queue the enterprises of its new rows in one statement.

        SQLite's triggers fire for each row: at 100,000 participants the queue
        trigger took about as long as the inserts themselves. Only for tables the
        import wrote with INSERTs alone (its new rows are then those after the
        table's last row id before the replay); the trigger is dropped and created
        again (its SQL as stored) inside the replay's transaction, so no other
        writer ever finds it missing. The queue ends up holding the same
        enterprises as if the trigger had fired for each row."""
        from scoretrack.lib import derived

        aside: list[tuple[str, str, int, str, str]] = []
        for family in derived.families() if self.verbs is not None else ():
            for table, enterprises in family.watched.items():
                if "insert" not in family.events.get(table, derived.EVENTS):
                    continue
                if self.verbs.get(table) != {"INSERT"}:
                    continue
                name = derived.trigger_name(family, table, "insert")
                cursor.execute(
                    "SELECT sql FROM main.sqlite_master WHERE type = 'trigger' AND name = %s",
                    [name],
                )
                stored = cursor.fetchone()
                if stored is None:
                    continue
                cursor.execute(f'SELECT COALESCE(MAX(rowid), 0) FROM main."{table}"')
                last = int(cursor.fetchone()[0])
                cursor.execute(f'DROP TRIGGER main."{name}"')
                aside.append((table, family.queue, last, enterprises, stored[0]))
        yield
        for table, queue, last, enterprises, sql in aside:
            rows = f'(SELECT * FROM main."{table}" WHERE rowid > {last})'
            select = enterprises.format(row="r", also=f", {rows} r", **{"from": f" FROM {rows} r"})
            cursor.execute(
                f"INSERT INTO main.{queue} (enterprise_id) SELECT DISTINCT e FROM ({select}) x "
                f"WHERE e IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM main.{queue} q WHERE q.enterprise_id = e)"
            )
            cursor.execute(sql)

    def _replay(self, cursor: Any) -> None:
        with self.log_path.open("rb") as log:
            while True:
                try:
                    sql, params, many, rowcount = pickle.load(log)
                except EOFError:
                    break
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if rowcount >= 0 and cursor.rowcount != rowcount:
                    raise Conflict(
                        f"a statement changed {cursor.rowcount} rows, not {rowcount}: {sql[:80]}"
                    )

    def discard(self) -> None:
        for path in (self.path, self.log_path):
            for suffix in ("", "-journal", "-wal", "-shm"):
                with suppress(OSError):
                    Path(f"{path}{suffix}").unlink()


def _columns(cursor: Any, schema: str, table: str) -> list[str]:
    cursor.execute(f'PRAGMA {schema}.table_info("{table}")')
    return [row[1] for row in cursor.fetchall()]


def _image(alias: str, columns: list[str]) -> str:
    """SQL of a row's content as one text, comparable across databases."""
    return " || ',' || ".join(f'quote({alias}."{column}")' for column in columns)


# Columns no import reads records by: the author stamps.
_STAMPS = frozenset({"created_by_id", "updated_by_id", "history_user_id"})


def history_tables() -> frozenset[str]:
    """The tables of the records' change history (django-simple-history)."""
    models = apps.get_models()
    return frozenset(m._meta.db_table for m in models if issubclass(m, HistoricalChanges))


def unread_indexes(cursor: Any, table: str) -> list[str]:
    """The indexes of `table` the copy does without: each costs every row the
    import inserts there, and nothing the import asks of the copy reads it. Those
    of the author stamps and the API's sync indexes (`updated_at`, `id`); never a
    unique index (it is a rule: a row that breaks it is refused on the copy as on
    the database)."""
    found = []
    cursor.execute(f'PRAGMA index_list("{table}")')
    for _seq, name, unique, origin, *_rest in cursor.fetchall():
        if unique or origin != "c":  # a rule, or a primary key's
            continue
        cursor.execute(f'PRAGMA index_info("{name}")')
        columns = {row[2] for row in cursor.fetchall()}
        if columns <= _STAMPS or name.endswith("_sync"):
            found.append(name)
    return found


def queue_triggers(connection: Any) -> list[str]:
    """The derived rows' queue triggers (lib/derived.py) present in the database."""
    from scoretrack.lib import derived

    listed = connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {row[0] for row in listed}
    names = [
        derived.trigger_name(family, table, event)
        for family in derived.families()
        for table in family.watched
        for event in derived.EVENTS
    ]
    return [name for name in names if name in present]


def _lighten(target: sqlite3.Connection) -> None:
    """Take the derived rows' queue triggers off the copy: nothing rebuilds derived
    rows there (the replayed writes fill the database's queues, and
    `derived.refresh()` rebuilds after the commit), and each inserted participant
    fired one. The database keeps them."""
    target.execute("BEGIN")  # one transaction: not one journal and sync per statement
    for name in queue_triggers(target):
        target.execute(f'DROP TRIGGER "{name}"')
    target.execute("COMMIT")


def _install_tracking(target: sqlite3.Connection, tables: list[str]) -> None:
    """On the copy only: note each tracked row as it was before the import changed
    it, and each table's last row of the snapshot (rows after it are the import's)."""
    target.execute(
        f"CREATE TABLE {TOUCHED} (seq INTEGER PRIMARY KEY, tbl TEXT, rid INTEGER, image TEXT)"
    )
    target.execute(f"CREATE TABLE {BOUNDS} (tbl TEXT PRIMARY KEY, top INTEGER)")
    for table in tables:
        columns = [row[1] for row in target.execute(f'PRAGMA table_info("{table}")')]
        if not columns:
            continue
        image = _image("OLD", columns)
        for event in ("UPDATE", "DELETE"):
            target.execute(
                f'CREATE TRIGGER "_staged_{event.lower()}_{table}" BEFORE {event} ON "{table}" '
                f"BEGIN INSERT INTO {TOUCHED} (tbl, rid, image) "
                f"VALUES ('{table}', OLD.rowid, {image}); END"
            )
        target.execute(
            f"INSERT INTO {BOUNDS} (tbl, top) "
            f"SELECT '{table}', COALESCE(MAX(rowid), 0) FROM \"{table}\""
        )


def forget_old_copies(older_than: float = 6 * 3600) -> None:
    """Remove the copies of a process killed while it worked on them."""
    folder = Path(settings.IMPORT_DIR)
    if not folder.is_dir():
        return
    cutoff = time.time() - older_than
    for path in folder.glob("stage-*"):
        with suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


def staged_run(run: Callable[[bool], bool], *, dry_run: bool) -> bool:
    """Run an import the staged way; `run(stage_writes)` runs it on the current
    default database and says whether it would commit. True when the import is
    committed (or, for a dry run, checked) through a stage; False when the caller
    should run it straight on the database (after ATTEMPTS conflicts)."""
    forget_old_copies()
    for attempt in range(1, ATTEMPTS + 1):
        stage = Stage()
        try:
            started = time.monotonic()
            try:
                stage.snapshot(track=not dry_run)
            except (OSError, sqlite3.Error) as exc:  # no room for a copy, say
                logger.warning(
                    "staged import: no copy of the database (%s): importing straight", exc
                )
                return False
            copied = time.monotonic()
            with stage.on_copy(record=not dry_run):
                commits = run(True)
            if dry_run or not commits:
                return True
            worked = time.monotonic()
            try:
                stage.apply()
            except Conflict as conflict:
                logger.info("staged import, attempt %s of %s: %s", attempt, ATTEMPTS, conflict)
                continue
            logger.info(
                "staged import: copied in %.1f s, worked out in %.1f s, "
                "%s statements written in %.1f s",
                copied - started,
                worked - copied,
                stage.statements,
                time.monotonic() - worked,
            )
            return True
        finally:
            stage.discard()
    logger.warning("staged import conflicted %s times: importing straight", ATTEMPTS)
    return False
