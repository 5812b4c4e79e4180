"""Derived rows kept exact by database triggers, rebuilt per enterprise.

Some figures would compare or join records over time at query time (an
enterprise's earliest baseline answer against its latest progress answer, every
participation joined to its delivery): millions of lookups on a large
programme. Instead, a family of derived tables keeps, per enterprise, the rows
those figures count, and each family is kept exact the same way:

- database triggers (installed by a migration, which freezes their SQL: see
  `sqlite_triggers`, `postgresql_triggers`) append the enterprise of every
  inserted, updated or deleted source row to the family's queue, whatever wrote
  it (pages, API, imports, COPY, cascades, the shell);
- `refresh()` takes the queued enterprises and rebuilds their derived rows from
  the records, in one transaction. The figures call it for their family before
  they count, and imports and `generate` call it after they write, so that no
  reader pays for a big rebuild.

A family may also keep tallies: sums of its derived rows across enterprises
(`Family.tallies`), from which whole-programme figures read thousands of rows
instead of millions. Rebuilding an enterprise takes its old rows' contribution
away and adds its new rows' (rows of one key are then summed, `compact`); what
no enterprise's rebuild can undo (the programme's phases changed) makes the
family's `stale` query answer, and the refresh rebuilds everything.

The families are declared by the apps that own their tables
(`outcomes/derived.py`, `training/derived.py`) and registered when those apps
are ready; `refresh()` without a family refreshes every registered one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction


def derived_ref(to: Any, *, null: bool = False, index: bool = False) -> models.ForeignKey:
    """A derived row's (or a tally's) reference to a record: no constraint and no
    cascade (the refresh, not the database, keeps the rows exact: a record's rows go
    with its enterprise's next rebuild), no reverse accessor, and no index of its own
    unless `index` (the table's composite indexes lead with the columns read)."""
    return models.ForeignKey(
        to,
        null=null,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=index,
        related_name="+",
    )


# Above this many queued enterprises, rebuilding every row in one pass is cheaper
# than rebuilding enterprise by enterprise.
FULL_REBUILD_AT = 20_000
CHUNK = 500
LOCK_KEY = 0x5C0DE  # pg_advisory_xact_lock key: one refresher per family at a time


@dataclass(frozen=True)
class Family:
    """Derived tables rebuilt together per enterprise, with the queue that says which
    enterprises are out of date and the source tables whose writes fill it."""

    name: str
    # the second key of the family's advisory lock: fixed, the same in every process
    lock: int
    queue: str
    # derived table -> the INSERT that builds its rows `{where}` (SQL of one of
    # the source's aliases) and the enterprise column that WHERE narrows
    builds: Mapping[str, tuple[str, str]]
    # source table -> SELECT of the enterprises (as `e`) a changed row `{row}`
    # touches; `{also}` is where a statement trigger joins its transition table
    watched: Mapping[str, str]
    # source table -> the columns whose update matters (all when absent)
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # source table -> the events whose rows matter (all of EVENTS when absent)
    events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # tally table -> the INSERT adding `{sign}` times the contribution of the derived
    # rows `{where}` (SQL of alias `s`, narrowing `s.enterprise_id`) to the sums
    # kept across enterprises; rows of one key are summed by `compact`
    tallies: Mapping[str, str] = field(default_factory=dict)
    # tally table -> its key columns and its sums (the practice tally's when absent)
    tally_columns: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )
    # A SELECT giving a row when every derived row must be rebuilt (what the
    # tallies were summed under has changed in a way one enterprise cannot undo)
    stale: str = ""
    # source table -> the name of its triggers and function, when another family
    # watches the table too (`{table}_queue` otherwise)
    trigger_names: Mapping[str, str] = field(default_factory=dict)

    def trigger_base(self, table: str) -> str:
        return self.trigger_names.get(table, f"{table}_queue")

    def rebuild_all(self, cursor: Any) -> None:
        with lean_sorts(cursor):
            for statement in rebuild_statements(self):
                cursor.execute(statement)

    def rebuild(self, cursor: Any, enterprises: Sequence[Any]) -> None:
        marks = ", ".join(["%s"] * len(enterprises))
        params = list(enterprises)
        where = f"s.enterprise_id IN ({marks})"
        # The tallies lose the enterprises' old rows and gain their new ones.
        for sql in self.tallies.values():
            cursor.execute(sql.format(sign="-1", where=where), params)
        for table, (sql, column) in self.builds.items():
            cursor.execute(f"DELETE FROM {table} WHERE enterprise_id IN ({marks})", params)
            cursor.execute(sql.format(where=f"{column} IN ({marks})"), params)
        for sql in self.tallies.values():
            cursor.execute(sql.format(sign="1", where=where), params)

    def compact(self, cursor: Any) -> None:
        """Each tally's rows summed into one per key (those summing to nothing
        dropped), so that readers sum a few rows per key."""
        for table in self.tallies:
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            last = cursor.fetchone()[0]
            if last is None:
                continue
            key, sums = self.tally_columns.get(table, (TALLY_KEY, TALLY_SUMS))
            cursor.execute(compact_sql(table, key, sums), [last])
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last])


# The page cache (KiB) while every derived row is rebuilt on SQLite; see lean_sorts.
LEAN_CACHE_KIB = 4_000


@contextmanager
def lean_sorts(cursor: Any) -> Iterator[None]:
    """On SQLite, a smaller page cache while the block runs. Each sort of a
    statement (GROUP BY, DISTINCT, ORDER BY, an index built) holds up to the page
    cache's size in memory before it spills to a temporary file, and a full
    rebuild after a million participants runs several at once: with the usual
    64 MB cache the import's process grew by 140 MB there, to a peak of 387 MB
    (a 16 MB cache: 323 MB; 4 MB: 266 MB; issue 21, `benchmarks/import_memory.py`).
    The file is in the system's cache: reading it again costs little. The cache's
    size is put back after."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    usual = cursor.fetchone()[0]
    cursor.execute(f"PRAGMA cache_size=-{LEAN_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size={int(usual)}")


_families: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Make `family` one of those `refresh()` and `rebuild_all()` take by default."""
    for other in _families.values():
        if other.name != family.name and other.lock == family.lock:
            raise ValueError(f"{family.name} and {other.name} share lock {family.lock}")
    _families[family.name] = family
    return family


def families() -> tuple[Family, ...]:
    return tuple(_families.values())


# Inside `refreshed_once()`, each queue is looked at by the first `refresh()` only.
_refreshed: ContextVar[set[str] | None] = ContextVar("derived_refreshed", default=None)


@contextmanager
def refreshed_once() -> Iterator[None]:
    """For reading many figures at once (a report, a values request): `refresh()`
    brings each family's derived rows up to date the first time only."""
    token = _refreshed.set(set())
    try:
        yield
    finally:
        _refreshed.reset(token)


def refresh(*chosen: Family, wait: bool = True) -> int:
    """Rebuild the derived rows of the queued enterprises (of the `chosen`
    families, by default all); how many enterprises were queued.

    One query per family when nothing is queued (the common case when reading
    figures), none when already done inside `refreshed_once()`.

    Readers wait for a refresher at work (their figures must be exact). A writer
    passes `wait=False`: on PostgreSQL, when another transaction is refreshing
    (an import holds the lock until it commits), it leaves its marks queued for
    the next refresh instead of waiting for that transaction to end.
    """
    done = _refreshed.get()
    count = 0
    for family in chosen or families():
        if done is not None:
            if family.name in done:
                continue
            done.add(family.name)
        count += _refresh(family, wait)
    return count


def _refresh(family: Family, wait: bool = True) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {family.queue} LIMIT 1")
        if cursor.fetchone() is None:
            return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Concurrent refreshers queue up; marks added meanwhile by writers that
            # commit later are new rows, left for the next refresh.
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY, family.lock])
            else:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_KEY, family.lock])
                if not cursor.fetchone()[0]:
                    return 0
        # Counted in the database: after a big import the ids are not worth
        # fetching (a quarter of a million of them after a million participants).
        cursor.execute(f"SELECT COUNT(DISTINCT enterprise_id) FROM {family.queue}")
        count = cursor.fetchone()[0]
        if family.stale:
            cursor.execute(family.stale)
            stale = cursor.fetchone() is not None
        else:
            stale = False
        if count >= FULL_REBUILD_AT or stale:
            # Every row rebuilt; the marks visible now are deleted first, so their
            # records (committed with them) are in the rebuild.
            family.rebuild_all(cursor)
            return count
        # Take exactly the marks visible now (SQLite >= 3.35 and PostgreSQL).
        cursor.execute(f"DELETE FROM {family.queue} RETURNING enterprise_id")
        queued = {row[0] for row in cursor.fetchall()}
        for chunk in chunks(sorted(queued, key=str), CHUNK):
            family.rebuild(cursor, chunk)
        if queued:
            family.compact(cursor)
    return len(queued)


def rebuild_all(*chosen: Family) -> None:
    """Every derived row of the `chosen` families (by default all) from the
    records, in one pass, and their queues emptied."""
    with transaction.atomic(), connection.cursor() as cursor:
        for family in chosen or families():
            family.rebuild_all(cursor)


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the SQL a migration freezes: rebuilding, and the triggers that fill the queues --


def rebuild_statements(family: Family) -> list[str]:
    """Every derived row of the family from the records, its queue emptied."""
    statements = [f"DELETE FROM {family.queue}"]
    for table, (sql, _column) in family.builds.items():
        statements += [f"DELETE FROM {table}", sql.format(where="1 = 1")]
    for table, sql in family.tallies.items():
        statements += [f"DELETE FROM {table}", sql.format(sign="1", where="1 = 1")]
    return statements


# A tally's columns: its key, then the sums.
TALLY_KEY = ("country_id", "practice_id", "kind", "period_key", "period_start", "period_end")
TALLY_SUMS = ("firms", "had", "gained", "pairs")


def compact_sql(
    table: str, columns: tuple[str, ...] = TALLY_KEY, summed: tuple[str, ...] = TALLY_SUMS
) -> str:
    """One row per key (`columns`) of `table`'s rows up to id %s, their sums of
    `summed` (none if all zero)."""
    key = ", ".join(columns)
    sums = ", ".join(f"SUM({name})" for name in summed)
    nonzero = " OR ".join(f"SUM({name}) <> 0" for name in summed)
    return (
        f"INSERT INTO {table} ({key}, {', '.join(summed)}) SELECT {key}, {sums} "
        f"FROM {table} WHERE id <= %s GROUP BY {key} HAVING {nonzero}"
    )


EVENTS = ("insert", "update", "delete")


def trigger_name(family: Family, table: str, event: str) -> str:
    return f"{family.trigger_base(table)}_{event}"


def triggers(family: Family, vendor: str) -> list[str]:
    """The statements installing the family's triggers on `vendor`'s database."""
    return {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor](family)


def sqlite_triggers(family: Family) -> list[str]:
    """Row triggers; SQLite has one writer at a time, so a mark already queued for
    the enterprise is enough (no duplicate is added)."""
    statements = []
    for table, enterprises in family.watched.items():
        for event in family.events.get(table, EVENTS):
            rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}[event]
            body = "".join(
                f"INSERT INTO {family.queue} (enterprise_id) SELECT DISTINCT e FROM "
                f"({enterprises.format(row=row, also='', **{'from': ''})}) "
                f"WHERE e IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {family.queue} q WHERE q.enterprise_id = e); "
                for row in rows
            )
            what = event.upper()
            if event == "update" and table in family.columns:
                what += " OF " + ", ".join(family.columns[table])
            statements.append(
                f"CREATE TRIGGER {trigger_name(family, table, event)} AFTER {what} "
                f"ON {table} FOR EACH ROW BEGIN {body}END"
            )
    return statements


def postgresql_triggers(family: Family) -> list[str]:
    """Statement triggers over transition tables: one INSERT per statement, however
    many rows it wrote (COPY included). Marks are never deduplicated against the
    queue: a mark a refresher is taking could otherwise swallow a newer change."""
    statements = []
    for table, enterprises in family.watched.items():
        function = family.trigger_base(table)

        def marks(rows: str, enterprises: str = enterprises) -> str:
            select = enterprises.format(row="r", also=f", {rows} r", **{"from": f" FROM {rows} r"})
            return (
                f"INSERT INTO {family.queue} (enterprise_id) SELECT DISTINCT e FROM "
                f"({select}) x WHERE e IS NOT NULL;"
            )

        clauses = {
            "insert": f"IF TG_OP = 'INSERT' THEN {marks('new_rows')} END IF;",
            "update": f"IF TG_OP = 'UPDATE' THEN {marks('old_rows')} {marks('new_rows')} END IF;",
            "delete": f"IF TG_OP = 'DELETE' THEN {marks('old_rows')} END IF;",
        }
        events = family.events.get(table, EVENTS)
        body = " ".join(clauses[event] for event in events)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
        )
        transitions = {
            "insert": "REFERENCING NEW TABLE AS new_rows",
            "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "REFERENCING OLD TABLE AS old_rows",
        }
        for event in events:
            # (PostgreSQL allows no column list with transition tables: every update.)
            statements.append(
                f"CREATE TRIGGER {trigger_name(family, table, event)} "
                f"AFTER {event.upper()} ON {table} "
                f"{transitions[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


def drop_triggers(family: Family, vendor: str) -> list[str]:
    """The statements removing the family's triggers from `vendor`'s database."""
    statements = []
    for table in family.watched:
        suffix = f" ON {table}" if vendor == "postgresql" else ""
        for event in family.events.get(table, EVENTS):
            statements.append(
                f"DROP TRIGGER IF EXISTS {trigger_name(family, table, event)}{suffix}"
            )
        if vendor == "postgresql":
            statements.append(f"DROP FUNCTION IF EXISTS {family.trigger_base(table)}()")
    return statements
