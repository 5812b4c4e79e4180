"""The derived rows figures read: practice steps, KPI points and SME attendances.

Practice and KPI figures compare each enterprise's answers or observations over
time (earliest baseline against latest progress answer, first against latest
month). Searched for per pair at query time, that is millions of correlated
lookups on a large programme. Instead, `PracticeStep` and `KpiPoint` keep, per
answer or observation, the context of its series (the baseline answer, the next
date, the first value, the rank), so that every outcome figure is one filtered
count over them. Likewise the SME reach figures count distinct enterprises over
`training.Attendance`, one row per (enterprise, delivery) attended, with the
delivery's module, country, organiser and date beside it, instead of over every
participation joined to its delivery.

Each family of derived rows is kept exact the same way:
- database triggers (installed by migration, `Family.install`) append the
  enterprise of every inserted, updated or deleted source row to the family's
  queue, whatever wrote it (pages, API, imports, COPY, cascades, the shell);
- `refresh()` takes the queued enterprises and rebuilds their derived rows from the
  records, in one transaction. The figures call it for their family before they
  count, and imports and `generate` call it after they write, so that no reader
  pays for a big rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
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
ATTENDANCES = "training_attendance"
ATTENDANCE_QUEUE = "training_attendancequeue"

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


# Each (enterprise, delivery) with participants, the delivery's facts beside it.
ATTENDANCE_SQL = f"""
INSERT INTO {ATTENDANCES} (enterprise_id, delivery_id, module_id, country_id, organiser_id,
    start_date, eit, eit_female, eit_male)
SELECT p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date,
    MAX(CASE WHEN p.eit_member THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'female' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'male' THEN 1 ELSE 0 END) = 1
FROM training_participant p
JOIN training_delivery d ON d.id = p.delivery_id
WHERE {{where}}
GROUP BY p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date
"""


@dataclass(frozen=True)
class Family:
    """Derived tables rebuilt together per enterprise, with the queue that says which
    enterprises are out of date and the source tables whose writes fill it."""

    name: str
    queue: str
    # derived table -> the INSERT that builds its rows `{where}` (SQL of one of
    # the source's aliases) and the enterprise column that WHERE narrows
    builds: Mapping[str, tuple[str, str]]
    # source table -> SELECT of the enterprises (as `e`) a changed row `{row}`
    # touches; `{also}` is where a statement trigger joins its transition table
    watched: Mapping[str, str]
    # source table -> the columns whose update matters (all when absent)
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def rebuild_all(self, cursor: Any) -> None:
        cursor.execute(f"DELETE FROM {self.queue}")
        for table, (sql, _column) in self.builds.items():
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(sql.format(where="1 = 1"))

    def rebuild(self, cursor: Any, enterprises: Sequence[Any]) -> None:
        marks = ", ".join(["%s"] * len(enterprises))
        params = list(enterprises)
        for table, (sql, column) in self.builds.items():
            cursor.execute(f"DELETE FROM {table} WHERE enterprise_id IN ({marks})", params)
            cursor.execute(sql.format(where=f"{column} IN ({marks})"), params)


OUTCOMES = Family(
    name="outcomes",
    queue=QUEUE,
    builds={STEPS: (STEPS_SQL, "a.enterprise_id"), POINTS: (POINTS_SQL, "o.enterprise_id")},
    watched={
        "outcomes_assessment": "SELECT {row}.enterprise_id AS e{from}",
        "outcomes_kpiobservation": "SELECT {row}.enterprise_id AS e{from}",
        "outcomes_practiceanswer": (
            "SELECT a.enterprise_id AS e FROM outcomes_assessment a{also} "
            "WHERE a.id = {row}.assessment_id"
        ),
    },
)
ATTENDANCE = Family(
    name="attendance",
    queue=ATTENDANCE_QUEUE,
    builds={ATTENDANCES: (ATTENDANCE_SQL, "p.enterprise_id")},
    watched={
        "training_participant": "SELECT {row}.enterprise_id AS e{from}",
        # A delivery moved to another module, country, organiser or date: every
        # enterprise attending it (deleting one deletes its participants first).
        "training_delivery": (
            "SELECT p.enterprise_id AS e FROM training_participant p{also} "
            "WHERE p.delivery_id = {row}.id"
        ),
    },
    columns={"training_delivery": ("module_id", "country_id", "organiser_id", "start_date")},
)
FAMILIES = (OUTCOMES, ATTENDANCE)


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


def refresh(*families: Family) -> int:
    """Rebuild the derived rows of the queued enterprises (of `families`, by default
    all); how many enterprises were queued.

    One query per family when nothing is queued (the common case when reading
    figures), none when already done inside `refreshed_once()`.
    """
    done = _refreshed.get()
    count = 0
    for family in families or FAMILIES:
        if done is not None:
            if family.name in done:
                continue
            done.add(family.name)
        count += _refresh(family)
    return count


def _refresh(family: Family) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {family.queue} LIMIT 1")
        if cursor.fetchone() is None:
            return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Concurrent refreshers queue up; marks added meanwhile by writers that
            # commit later are new rows, left for the next refresh.
            key = [LOCK_KEY, FAMILIES.index(family)]
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", key)
        # Counted in the database: after a big import the ids are not worth
        # fetching (a quarter of a million of them after a million participants).
        cursor.execute(f"SELECT COUNT(DISTINCT enterprise_id) FROM {family.queue}")
        count = cursor.fetchone()[0]
        if count >= FULL_REBUILD_AT:
            # Every row rebuilt; the marks visible now are deleted first, so their
            # records (committed with them) are in the rebuild.
            family.rebuild_all(cursor)
            return count
        # Take exactly the marks visible now (SQLite >= 3.35 and PostgreSQL).
        cursor.execute(f"DELETE FROM {family.queue} RETURNING enterprise_id")
        queued = {row[0] for row in cursor.fetchall()}
        for chunk in chunks(sorted(queued, key=str), CHUNK):
            family.rebuild(cursor, chunk)
    return len(queued)


def rebuild_all(*families: Family) -> None:
    """Every derived row of `families` (by default all) from the records, in one
    pass, and their queues emptied."""
    with transaction.atomic(), connection.cursor() as cursor:
        for family in families or FAMILIES:
            family.rebuild_all(cursor)


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- the triggers that fill the queues --------------------------------------------

EVENTS = ("insert", "update", "delete")


def trigger_name(table: str, event: str) -> str:
    return f"{table}_queue_{event}"


def sqlite_triggers(family: Family) -> list[str]:
    """Row triggers; SQLite has one writer at a time, so a mark already queued for
    the enterprise is enough (no duplicate is added)."""
    statements = []
    for table, enterprises in family.watched.items():
        for event in EVENTS:
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
                f"CREATE TRIGGER {trigger_name(table, event)} AFTER {what} "
                f"ON {table} FOR EACH ROW BEGIN {body}END"
            )
    return statements


def postgresql_triggers(family: Family) -> list[str]:
    """Statement triggers over transition tables: one INSERT per statement, however
    many rows it wrote (COPY included). Marks are never deduplicated against the
    queue: a mark a refresher is taking could otherwise swallow a newer change."""
    statements = []
    for table, enterprises in family.watched.items():
        function = f"{table}_queue"

        def marks(rows: str, enterprises: str = enterprises) -> str:
            select = enterprises.format(row="r", also=f", {rows} r", **{"from": f" FROM {rows} r"})
            return (
                f"INSERT INTO {family.queue} (enterprise_id) SELECT DISTINCT e FROM "
                f"({select}) x WHERE e IS NOT NULL;"
            )

        body = (
            f"IF TG_OP = 'INSERT' THEN {marks('new_rows')} END IF; "
            f"IF TG_OP = 'UPDATE' THEN {marks('old_rows')} {marks('new_rows')} END IF; "
            f"IF TG_OP = 'DELETE' THEN {marks('old_rows')} END IF;"
        )
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
        )
        transitions = {
            "insert": "REFERENCING NEW TABLE AS new_rows",
            "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "REFERENCING OLD TABLE AS old_rows",
        }
        for event in EVENTS:
            # (PostgreSQL allows no column list with transition tables: every update.)
            statements.append(
                f"CREATE TRIGGER {trigger_name(table, event)} AFTER {event.upper()} ON {table} "
                f"{transitions[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


def installer(family: Family) -> Any:
    """A migration's RunPython function installing the family's triggers."""

    def install(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        statements = {"sqlite": sqlite_triggers, "postgresql": postgresql_triggers}[vendor]
        for statement in statements(family):
            schema_editor.execute(statement, params=None)

    return install


def remover(family: Family) -> Any:
    """A migration's RunPython function removing the family's triggers."""

    def remove(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in family.watched:
            for event in EVENTS:
                suffix = f" ON {table}" if vendor == "postgresql" else ""
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {trigger_name(table, event)}{suffix}", params=None
                )
            if vendor == "postgresql":
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_queue()", params=None)

    return remove


def builder(family: Family) -> Any:
    """A migration's RunPython function building the family's rows from the records."""

    def build(apps: Any, schema_editor: Any) -> None:
        rebuild_all(family)

    return build
