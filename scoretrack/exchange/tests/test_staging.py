"""Big imports on SQLite are worked out on a copy and written in one short transaction.

Each test runs on a database file (a copy of the test database) as production
does, with a second connection that writes while the import is being worked
out, the way a page or an API call would.
"""

from __future__ import annotations

import copy
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.services import ImportReport, workbook_import
from scoretrack.exchange.tests.conftest import Sheets, write_csv_folder

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="staging is SQLite's"),
    pytest.mark.django_db(transaction=True),
]

BASE: Sheets = {
    "countries": [["code", "name", "currency"], ["CO", "Colombia", "COP"]],
    "enterprises": [
        ["key", "name", "country", "region", "workforce_female"],
        ["E1", "Flores SA", "CO", "Cundinamarca", "40"],
        ["E2", "Textil Ltda", "CO", "Antioquia", "12"],
    ],
}
# Renames E1 and creates E3; says nothing of the workforce.
CHANGES: Sheets = {
    "enterprises": [
        ["key", "name", "country", "region"],
        ["E1", "Flores Unidas SA", "CO", "Cundinamarca"],
        ["E3", "Café Alto", "CO", "Huila"],
    ],
}


@pytest.fixture
def database(admin: Any, tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The test database copied to a file and made the default connection's."""
    main = connections["default"]
    main.ensure_connection()
    path = tmp_path / "db.sqlite3"
    target = sqlite3.connect(path)
    main.connection.backup(target)
    target.close()
    config = copy.deepcopy(main.settings_dict)
    config["NAME"] = str(path)
    on_file = type(main)(config, alias="default")
    connections["default"] = on_file
    settings.IMPORT_DIR = tmp_path / "imports"
    settings.IMPORT_STAGE_BYTES = -1
    try:
        yield path
    finally:
        on_file.close()
        connections["default"] = main


@pytest.fixture
def imported(admin: Any, database: Path, tmp_path: Path) -> Callable[..., ImportReport]:
    counter = iter(range(100))

    def run(sheets: Sheets, **options: Any) -> ImportReport:
        folder = write_csv_folder(tmp_path / f"book{next(counter)}", sheets)
        return workbook_import(source=folder, user=admin, **options)

    report = run(BASE)
    assert report.committed, report.problems
    return run


E2_WORKFORCE = "UPDATE enterprises_enterprise SET workforce_male = 9 WHERE key = 'E2'"


def other_writer(path: Path, sql: str, params: tuple[Any, ...] = ()) -> str:
    """A write by another connection that waits at most 0.2 s for the lock."""
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute(sql, params)
        return "written"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


def workforce(path: Path, key: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT workforce_female FROM enterprises_enterprise WHERE key = ?", [key]
        ).fetchone()[0]


def test_other_writers_write_while_a_big_import_is_worked_out(
    imported: Any, database: Path, settings: Any
) -> None:
    settings.IMPORT_STAGE_BYTES = 0
    answers: list[str] = []

    def meanwhile(done: int, total: int) -> None:
        if not answers:
            answers.append(other_writer(database, E2_WORKFORCE))

    report = imported(CHANGES, progress=meanwhile)
    assert report.committed
    assert answers == ["written"]
    names = dict(Enterprise.objects.values_list("key", "name"))
    assert names == {"E1": "Flores Unidas SA", "E2": "Textil Ltda", "E3": "Café Alto"}
    assert Enterprise.objects.get(key="E2").workforce_male == 9
    assert not list((Path(settings.IMPORT_DIR)).glob("stage-*")), "the copies are removed"


def test_the_copy_is_worked_out_with_write_ahead_logging(
    imported: Any, database: Path, settings: Any, monkeypatch: Any
) -> None:
    """With a rollback journal in memory the bulk inserts on the copy took 5x as long
    at 100,000 participant rows, and grew faster than the rows (BENCHMARKS.md)."""
    from scoretrack.exchange import staging

    settings.IMPORT_STAGE_BYTES = 0
    modes: list[str] = []
    apply = staging.Stage.apply

    def looking(stage: Any) -> None:
        with sqlite3.connect(stage.path) as copy_db:  # the copy's journal mode is kept in it
            modes.append(copy_db.execute("PRAGMA journal_mode").fetchone()[0])
        apply(stage)

    monkeypatch.setattr(staging.Stage, "apply", looking)
    report = imported(CHANGES)
    assert report.committed
    assert modes == ["wal"]
    assert not list((Path(settings.IMPORT_DIR)).glob("stage-*")), "the copy and its log removed"


def test_an_import_straight_on_the_database_makes_them_wait(imported: Any, database: Path) -> None:
    """What staging avoids: the lock held from the first row to the commit."""
    answers: list[str] = []

    def meanwhile(done: int, total: int) -> None:
        if not answers:
            answers.append(other_writer(database, E2_WORKFORCE))

    assert imported(CHANGES, progress=meanwhile).committed
    assert answers == ["database is locked"]


def test_a_check_writes_nothing_and_holds_no_lock(
    imported: Any, database: Path, settings: Any
) -> None:
    settings.IMPORT_STAGE_BYTES = 0
    answers: list[str] = []

    def meanwhile(done: int, total: int) -> None:
        if not answers:
            answers.append(other_writer(database, E2_WORKFORCE))

    report = imported(CHANGES, dry_run=True, progress=meanwhile)
    assert answers == ["written"]
    assert not report.committed and report.ok
    assert (report.counts["enterprises"].created, report.counts["enterprises"].updated) == (1, 1)
    assert sorted(Enterprise.objects.values_list("key", flat=True)) == ["E1", "E2"]


def test_a_row_changed_meanwhile_makes_the_import_start_again_on_a_new_copy(
    imported: Any, database: Path, settings: Any
) -> None:
    """Replayed as worked out, the import's history row of E1 would carry the
    workforce of the snapshot (40), not the one another user saved meanwhile."""
    settings.IMPORT_STAGE_BYTES = 0
    runs: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not runs:
            other_writer(
                database, "UPDATE enterprises_enterprise SET workforce_female = 77 WHERE key = 'E1'"
            )
        runs.append(done)

    report = imported(CHANGES, progress=meanwhile)
    assert report.committed
    firm = Enterprise.objects.get(key="E1")
    assert (firm.name, firm.workforce_female) == ("Flores Unidas SA", 77)
    newest = firm.history.order_by("-history_date", "-history_id").first()
    assert (newest.name, newest.workforce_female) == ("Flores Unidas SA", 77)
    assert Enterprise.objects.filter(key="E3").count() == 1
    assert runs == [2, 2]  # worked out twice


def test_a_key_created_meanwhile_is_updated_on_the_new_copy_not_created_twice(
    imported: Any, database: Path, settings: Any
) -> None:
    settings.IMPORT_STAGE_BYTES = 0
    e2 = Enterprise.objects.get(key="E2")
    done: list[str] = []

    def meanwhile(done_rows: int, total: int) -> None:
        if not done:
            done.append(
                other_writer(
                    database,
                    "INSERT INTO enterprises_enterprise (id, key, name, country_id, "
                    "workforce_female, workforce_male, created_at, updated_at) "
                    "SELECT 'ffffffffffffffffffffffffffffffff', 'E3', 'Cafe (by hand)', "
                    "country_id, 5, 6, created_at, updated_at "
                    "FROM enterprises_enterprise WHERE id = ?",
                    (e2.pk.hex,),
                )
            )

    report = imported(CHANGES, progress=meanwhile)
    assert done == ["written"]
    assert report.committed
    assert (report.counts["enterprises"].created, report.counts["enterprises"].updated) == (0, 2)
    e3 = Enterprise.objects.get(key="E3")
    assert (e3.pk.hex, e3.name, e3.workforce_female) == (
        "ffffffffffffffffffffffffffffffff",
        "Café Alto",
        5,
    )


def test_after_three_conflicts_the_import_runs_straight_and_still_ends(
    imported: Any, database: Path, settings: Any, caplog: Any
) -> None:
    settings.IMPORT_STAGE_BYTES = 0
    starts: list[int] = []
    seen = {"first": True}

    def meanwhile(done: int, total: int) -> None:
        # A write to E1 at the start of every attempt worked out on a copy.
        if seen["first"]:
            seen["first"] = False
            starts.append(done)
            value = 100 + len(starts)
            if len(starts) <= 3:
                other_writer(
                    database,
                    "UPDATE enterprises_enterprise SET workforce_female = ? WHERE key = 'E1'",
                    (value,),
                )
        if done >= total:
            seen["first"] = True

    with caplog.at_level(logging.INFO, logger="scoretrack.exchange.staging"):
        report = imported(CHANGES, progress=meanwhile)
    assert report.committed
    assert len(starts) == 4  # three copies, then straight on the database
    assert [r.getMessage()[:33] for r in caplog.records] == [
        "staged import, attempt 1 of 3: a ",
        "staged import, attempt 2 of 3: a ",
        "staged import, attempt 3 of 3: a ",
        "staged import conflicted 3 times:",
    ]
    firm = Enterprise.objects.get(key="E1")
    assert (firm.name, firm.workforce_female) == ("Flores Unidas SA", 103)
    assert workforce(database, "E2") == 12


def test_without_room_for_a_copy_the_import_runs_straight(
    imported: Any, settings: Any, monkeypatch: Any, caplog: Any
) -> None:
    from scoretrack.exchange import staging

    settings.IMPORT_STAGE_BYTES = 0

    def full_disk(self: Any, track: bool) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staging.Stage, "snapshot", full_disk)
    with caplog.at_level(logging.INFO, logger="scoretrack.exchange.staging"):
        report = imported(CHANGES)
    assert report.committed
    assert sorted(Enterprise.objects.values_list("key", flat=True)) == ["E1", "E2", "E3"]
    assert [r.getMessage() for r in caplog.records] == [
        "staged import: no copy of the database ([Errno 28] No space left on device): "
        "importing straight"
    ]


def test_copies_left_by_a_killed_import_are_removed_by_the_next(
    imported: Any, settings: Any
) -> None:
    import os

    settings.IMPORT_STAGE_BYTES = 0
    folder = Path(settings.IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    old, recent = folder / "stage-old.sqlite3", folder / "stage-recent.sqlite3"
    for path in (old, recent):
        path.write_bytes(b"x" * 10)
    a_day_ago = os.path.getmtime(old) - 24 * 3600
    os.utime(old, (a_day_ago, a_day_ago))
    assert imported(CHANGES).committed
    assert sorted(p.name for p in folder.iterdir()) == ["stage-recent.sqlite3"]


# --- participants: what the copy goes without, and the replay's queue marks --------

TRAINING: Sheets = {
    "modules": [["code", "name"], ["M1", "Workplace Cooperation"]],
    "deliveries": [
        ["key", "country", "module", "start_date"],
        ["D1", "CO", "M1", "2020-02-01"],
    ],
    "enrolments": [["delivery", "enterprise"], ["D1", "E1"], ["D1", "E2"]],
}
PEOPLE: Sheets = {
    "participants": [
        ["delivery", "enterprise", "sex", "role", "person", "name"],
        ["D1", "E1", "female", "manager", "p1", "Ana"],
        ["D1", "E1", "male", "worker", "", "Luis"],
        ["D1", "E2", "female", "worker", "", "Eva"],
    ],
}
QUEUE_TRIGGER = "training_participant_queue_insert"
QUEUED = (
    "SELECT e.key FROM training_attendancequeue q "
    "JOIN enterprises_enterprise e ON e.id = q.enterprise_id ORDER BY e.key"
)


def _names(db: sqlite3.Connection, kind: str, table: str) -> set[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL",
        [kind, table],
    )
    return {row[0] for row in rows}


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchone()[0]


def test_the_copy_goes_without_indexes_and_triggers_nothing_reads_there(
    imported: Any, database: Path, settings: Any, monkeypatch: Any
) -> None:
    """On the copy, before the first insert into a table small beside the batch, the
    API's sync index and the author stamps' are dropped; the unique index (a rule)
    and the delivery's (content matching reads by it) are kept; the queue trigger
    is dropped with the copy made; history rows are written on the database only.
    The database keeps everything."""
    from scoretrack.exchange import staging

    assert imported(TRAINING).committed
    settings.IMPORT_STAGE_BYTES = 0
    seen: dict[str, Any] = {}
    apply = staging.Stage.apply

    def looking(stage: Any) -> None:
        with sqlite3.connect(stage.path) as copy_db:
            seen["indexes"] = _names(copy_db, "index", "training_participant")
            seen["history indexes"] = _names(copy_db, "index", "training_historicalparticipant")
            seen["triggers"] = _names(copy_db, "trigger", "training_participant")
            seen["rows"] = copy_db.execute("SELECT COUNT(*) FROM training_participant").fetchone()
            seen["history"] = copy_db.execute(
                "SELECT COUNT(*) FROM training_historicalparticipant"
            ).fetchone()
        apply(stage)

    monkeypatch.setattr(staging.Stage, "apply", looking)
    report = imported(PEOPLE)
    assert report.committed, report.problems
    kept = {"participant_person_unique"}
    assert kept <= seen["indexes"]
    assert any(name.startswith("training_participant_delivery_id") for name in seen["indexes"])
    assert "participant_sync" not in seen["indexes"]
    assert not any("_by_id" in name for name in seen["indexes"])
    assert len(seen["history indexes"]) == 7  # not written there: left as they are
    # the staging's own (rows changed), not the queue's
    assert seen["triggers"] == {
        "_staged_update_training_participant",
        "_staged_delete_training_participant",
    }
    assert (seen["rows"], seen["history"]) == ((3,), (0,))
    with sqlite3.connect(database) as db:
        assert {"participant_sync", *kept} <= _names(db, "index", "training_participant")
        assert len(_names(db, "index", "training_historicalparticipant")) == 7
        assert QUEUE_TRIGGER in _names(db, "trigger", "training_participant")
    assert _count(database, "SELECT COUNT(*) FROM training_participant") == 3
    history = "SELECT COUNT(*) FROM training_historicalparticipant WHERE history_type = '+'"
    assert _count(database, history) == 3


def test_the_replay_queues_the_new_participants_enterprises_once(
    imported: Any, database: Path, settings: Any, monkeypatch: Any
) -> None:
    """Inserted without the row trigger, then the enterprises of the new rows queued
    in one statement: E1 (two people) and E2, once each; the trigger is back with
    its SQL unchanged."""
    from scoretrack.exchange import services

    assert imported(TRAINING).committed
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM training_attendancequeue")
        trigger = db.execute(
            "SELECT sql FROM sqlite_master WHERE name = ?", [QUEUE_TRIGGER]
        ).fetchone()
    monkeypatch.setattr(services.derived, "refresh", lambda *a, **k: 0)  # the queue kept
    settings.IMPORT_STAGE_BYTES = 0
    statements: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(spy):
        report = imported(PEOPLE)
    assert report.committed, report.problems
    assert f'DROP TRIGGER main."{QUEUE_TRIGGER}"' in statements
    queued = QUEUED
    with sqlite3.connect(database) as db:
        assert [row[0] for row in db.execute(queued)] == ["E1", "E2"]
        assert (
            db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [QUEUE_TRIGGER]).fetchone()
            == trigger
        )


def test_a_table_also_updated_keeps_its_row_trigger_in_the_replay(
    imported: Any, database: Path, settings: Any, monkeypatch: Any
) -> None:
    """p1 renamed (an UPDATE) and a new participant of E2 (an INSERT): the rows the
    import wrote are not only those after the last row id, so the trigger fires
    for each row, as for any other writer."""
    from scoretrack.exchange import services

    assert imported(TRAINING).committed
    assert imported(PEOPLE).committed
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM training_attendancequeue")
    monkeypatch.setattr(services.derived, "refresh", lambda *a, **k: 0)
    settings.IMPORT_STAGE_BYTES = 0
    statements: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    sheets: Sheets = {
        "participants": [
            ["delivery", "enterprise", "sex", "role", "person", "name"],
            ["D1", "E1", "female", "manager", "p1", "Ana María"],
            ["D1", "E2", "male", "worker", "p2", "Juan"],
        ],
    }
    with connections["default"].execute_wrapper(spy):
        report = imported(sheets)
    assert (report.counts["participants"].created, report.counts["participants"].updated) == (1, 1)
    assert not [sql for sql in statements if sql.startswith("DROP TRIGGER")]
    queued = QUEUED
    with sqlite3.connect(database) as db:
        assert [row[0] for row in db.execute(queued)] == ["E1", "E2"]
