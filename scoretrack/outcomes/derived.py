"""The derived rows the outcome figures read: practice steps and KPI points.

Practice and KPI figures compare each enterprise's answers or observations over
time (earliest baseline against latest progress answer, first against latest
month). Searched for per pair at query time, that is millions of correlated
lookups on a large programme. Instead, `PracticeStep` and `KpiPoint` keep, per
answer or observation, the context of its series (the baseline answer, the next
date, the first value, the rank), so that every outcome figure is one filtered
count over them.

They are kept exact this way:
- database triggers (installed by migration, `install_triggers`) append the
  enterprise of every inserted, updated or deleted assessment, practice answer and
  KPI observation to `OutcomeQueue`, whatever wrote it (pages, API, imports, COPY,
  cascades, the shell);
- `refresh()` takes the queued enterprises and rebuilds their derived rows from the
  records, in one transaction. The outcome indicators call it before they count, and
  imports and `generate` call it after they write, so that no reader pays for a big
  rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

# Above this many queued enterprises, rebuilding every row in one pass is cheaper
# than rebuilding enterprise by enterprise.
FULL_REBUILD_AT = 20_000
CHUNK = 500
LOCK_KEY = 0x5C0DE  # pg_advisory_xact_lock key: one refresher at a time

STEPS = "outcomes_practicestep"
POINTS = "outcomes_kpipoint"
QUEUE = "outcomes_outcomequeue"

# For each (enterprise, practice), its answers ordered baselines first, by date:
# the first row is the earliest baseline answer; each progress answer's next row is
# the next progress answer. Kept: progress answers dated after the earliest baseline.
STEPS_SQL = f"""
INSERT INTO {STEPS} (enterprise_id, practice_id, date, before, after, next_date)
SELECT enterprise_id, practice_id, date, before, in_place, next_date FROM (
    SELECT a.enterprise_id, pa.practice_id, a.kind, a.date, pa.in_place,
        FIRST_VALUE(pa.in_place) OVER w AS before,
        MIN(CASE WHEN a.kind = 'baseline' THEN a.date END) OVER (
            PARTITION BY a.enterprise_id, pa.practice_id
        ) AS baseline_date,
        LEAD(a.date) OVER w AS next_date
    FROM outcomes_practiceanswer pa
    JOIN outcomes_assessment a ON a.id = pa.assessment_id
    WHERE {{where}}
    WINDOW w AS (
        PARTITION BY a.enterprise_id, pa.practice_id
        ORDER BY CASE WHEN a.kind = 'baseline' THEN 0 ELSE 1 END, a.date
    )
) answers
WHERE kind = 'progress' AND baseline_date IS NOT NULL AND date > baseline_date
"""

POINTS_SQL = f"""
INSERT INTO {POINTS}
    (enterprise_id, kpi_id, month, value, first_value, rank, prev_month, next_month)
SELECT o.enterprise_id, o.kpi_id, o.month, o.value,
    FIRST_VALUE(o.value) OVER w, ROW_NUMBER() OVER w, LAG(o.month) OVER w, LEAD(o.month) OVER w
FROM outcomes_kpiobservation o
WHERE {{where}}
WINDOW w AS (PARTITION BY o.enterprise_id, o.kpi_id ORDER BY o.month)
"""


# Inside `refreshed_once()`, the queue is looked at by the first `refresh()` only.
_refreshed: ContextVar[list[bool] | None] = ContextVar("outcomes_refreshed", default=None)


@contextmanager
def refreshed_once() -> Iterator[None]:
    """For reading many figures at once (a report, a values request): `refresh()`
    brings the derived rows up to date the first time only."""
    token = _refreshed.set([])
    try:
        yield
    finally:
        _refreshed.reset(token)


def refresh() -> int:
    """Rebuild the derived rows of the queued enterprises; how many there were.

    One query when nothing is queued (the common case when reading figures), none
    when already done inside `refreshed_once()`.
    """
    done = _refreshed.get()
    if done:
        return 0
    if done is not None:
        done.append(True)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {QUEUE} LIMIT 1")
        if cursor.fetchone() is None:
            return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Concurrent refreshers queue up; marks added meanwhile by writers that
            # commit later are new rows, left for the next refresh.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        # Take exactly the marks visible now (SQLite >= 3.35 and PostgreSQL).
        cursor.execute(f"DELETE FROM {QUEUE} RETURNING enterprise_id")
        queued = {row[0] for row in cursor.fetchall()}
        if len(queued) >= FULL_REBUILD_AT:
            rebuild_all(cursor)
        else:
            for chunk in chunks(sorted(queued, key=str), CHUNK):
                _rebuild(cursor, chunk)
    return len(queued)


def rebuild_all(cursor: Any = None) -> None:
    """Every derived row from the records, in one pass (and the queue emptied)."""
    if cursor is None:
        with transaction.atomic(), connection.cursor() as own:
            return rebuild_all(own)
    cursor.execute(f"DELETE FROM {QUEUE}")
    cursor.execute(f"DELETE FROM {STEPS}")
    cursor.execute(f"DELETE FROM {POINTS}")
    cursor.execute(STEPS_SQL.format(where="1 = 1"))
    cursor.execute(POINTS_SQL.format(where="1 = 1"))
    return None


def _rebuild(cursor: Any, enterprises: Sequence[Any]) -> None:
    marks = ", ".join(["%s"] * len(enterprises))
    params = list(enterprises)
    cursor.execute(f"DELETE FROM {STEPS} WHERE enterprise_id IN ({marks})", params)
    cursor.execute(f"DELETE FROM {POINTS} WHERE enterprise_id IN ({marks})", params)
    cursor.execute(STEPS_SQL.format(where=f"a.enterprise_id IN ({marks})"), params)
    cursor.execute(POINTS_SQL.format(where=f"o.enterprise_id IN ({marks})"), params)


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the triggers that fill the queue ---------------------------------------------

# (table, SQL giving the enterprises of the changed rows from a row alias)
WATCHED = {
    "outcomes_assessment": "{row}.enterprise_id",
    "outcomes_kpiobservation": "{row}.enterprise_id",
    "outcomes_practiceanswer": (
        "(SELECT a.enterprise_id FROM outcomes_assessment a WHERE a.id = {row}.assessment_id)"
    ),
}
EVENTS = ("insert", "update", "delete")


def trigger_name(table: str, event: str) -> str:
    return f"{table}_queue_{event}"


def sqlite_triggers() -> list[str]:
    """Row triggers; SQLite has one writer at a time, so a mark already queued for
    the enterprise is enough (no duplicate is added)."""
    statements = []
    for table, enterprise in WATCHED.items():
        for event in EVENTS:
            rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}[event]
            body = "".join(
                f"INSERT INTO {QUEUE} (enterprise_id) SELECT e FROM "
                f"(SELECT {enterprise.format(row=row)} AS e) "
                f"WHERE e IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {QUEUE} q WHERE q.enterprise_id = e); "
                for row in rows
            )
            statements.append(
                f"CREATE TRIGGER {trigger_name(table, event)} AFTER {event.upper()} "
                f"ON {table} FOR EACH ROW BEGIN {body}END"
            )
    return statements


def postgresql_triggers() -> list[str]:
    """Statement triggers over transition tables: one INSERT per statement, however
    many rows it wrote (COPY included). Marks are never deduplicated against the
    queue: a mark a refresher is taking could otherwise swallow a newer change."""
    statements = []
    for table, enterprise in WATCHED.items():
        function = f"{table}_queue"
        parts = []
        for event, tables in (("INSERT", ["new_rows"]), ("UPDATE", ["old_rows", "new_rows"])):
            parts.append(
                f"IF TG_OP = '{event}' THEN "
                + " ".join(
                    f"INSERT INTO {QUEUE} (enterprise_id) SELECT DISTINCT e FROM "
                    f"(SELECT {enterprise.format(row='r')} AS e FROM {name} r) x "
                    f"WHERE e IS NOT NULL;"
                    for name in tables
                )
                + " END IF;"
            )
        parts.append(
            f"IF TG_OP = 'DELETE' THEN INSERT INTO {QUEUE} (enterprise_id) "
            f"SELECT DISTINCT e FROM (SELECT {enterprise.format(row='r')} AS e FROM old_rows r) x "
            f"WHERE e IS NOT NULL; END IF;"
        )
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {' '.join(parts)} RETURN NULL; END $$"
        )
        transitions = {
            "insert": "REFERENCING NEW TABLE AS new_rows",
            "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "REFERENCING OLD TABLE AS old_rows",
        }
        for event in EVENTS:
            statements.append(
                f"CREATE TRIGGER {trigger_name(table, event)} AFTER {event.upper()} ON {table} "
                f"{transitions[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


def install_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def remove_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        for event in EVENTS:
            suffix = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {trigger_name(table, event)}{suffix}", params=None
            )
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_queue()", params=None)
