"""The derived rows' SQL: what the migrations froze is what the live code says.

A migration installs its family's triggers and builds its rows with SQL copied
into it (history must not move with the code). So that the copies cannot drift
silently, the live SQL of each registered family must equal that of the newest
migration declaring the family (`FAMILY = "<name>"`): a change of the live SQL
needs a new migration carrying it.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

import pytest
from django.db.migrations.loader import MigrationLoader

from scoretrack.lib import derived
from scoretrack.outcomes.derived import OUTCOMES
from scoretrack.training.derived import ATTENDANCE

FAMILIES = [OUTCOMES, ATTENDANCE]


def newest_migration(family: derived.Family) -> ModuleType:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    modules = {key: import_module(m.__module__) for key, m in loader.disk_migrations.items()}
    declaring = sorted(
        (key, module)
        for key, module in modules.items()
        if getattr(module, "FAMILY", None) == family.name
    )
    assert declaring, f"no migration installs the {family.name!r} family's triggers"
    assert len({app for (app, _name), _module in declaring}) == 1
    return declaring[-1][1]


def test_every_family_is_registered_at_start_up() -> None:
    assert {f.name: f for f in derived.families()} == {
        "outcomes": OUTCOMES,
        "attendance": ATTENDANCE,
    }


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_live_triggers_are_the_newest_migrations(family: derived.Family, vendor: str) -> None:
    migration = newest_migration(family)

    assert list(migration.TRIGGERS[vendor]) == derived.triggers(family, vendor), (
        f"{family.name}: the live trigger SQL differs from {migration.__name__}'s; "
        "add a migration that installs the new SQL (copied into it)"
    )
    assert list(migration.DROP_TRIGGERS[vendor]) == derived.drop_triggers(family, vendor)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_the_live_rebuild_is_the_newest_migrations(family: derived.Family) -> None:
    migration = newest_migration(family)

    assert list(migration.REBUILD) == derived.rebuild_statements(family), (
        f"{family.name}: the live rebuild SQL differs from {migration.__name__}'s; "
        "add a migration that rebuilds with the new SQL (copied into it)"
    )


@pytest.mark.django_db
def test_a_full_rebuild_sorts_in_a_smaller_page_cache_then_puts_it_back() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size" if connection.vendor == "sqlite" else "SELECT 1")
        usual = cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as seen:
        derived.rebuild_all(ATTENDANCE)
    pragmas = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("PRAGMA")]
    if connection.vendor != "sqlite":
        assert pragmas == []
        return
    assert usual == -64000  # lib/sqlite.py's
    # Read, made lean (4 MB) for the rebuild's statements, put back after them.
    assert pragmas == ["PRAGMA cache_size", "PRAGMA cache_size=-4000", "PRAGMA cache_size=-64000"]
    statements = [q["sql"] for q in seen.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements[-1] == "PRAGMA cache_size=-64000"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -64000
