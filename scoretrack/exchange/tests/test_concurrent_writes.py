"""Two writers of the same new records at once: one wins, the other is told where and why.

On PostgreSQL the second insert of a key waits for the first transaction, then
fails with a unique violation once it commits. That loser must end with a located
error (no traceback, nothing of its own written), and a page or API write of
other records must go on while an import is open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange import services
from scoretrack.exchange.importer import SheetImporter
from scoretrack.exchange.services import ImportReport, workbook_import

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite has one writer at a time"
)

Sheets = dict[str, list[list[Any]]]

NEW_FIRMS: Sheets = {
    "enterprises": [
        ["key", "name", "country"],
        ["E-NEW1", "Quinua Real", "BO"],
        ["E-NEW2", "Cafe Yungas", "BO"],
    ]
}


def both_at_once(monkeypatch: pytest.MonkeyPatch, jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads that meet inside their import transactions
    (before their first write) and return what each returned or raised."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    prefetch = SheetImporter.prefetch
    met: set[int] = set()

    def meeting(self: SheetImporter, rows: Any) -> None:
        if threading.get_ident() not in met:
            met.add(threading.get_ident())
            barrier.wait()
        prefetch(self, rows)

    monkeypatch.setattr(SheetImporter, "prefetch", meeting)
    results: list[Any] = [None] * len(jobs)

    def run(position: int) -> None:
        try:
            results[position] = jobs[position]()
        except Exception as exc:  # kept to be asserted on
            results[position] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_the_loser_of_two_imports_of_the_same_new_firms_gets_located_errors(
    world: SimpleNamespace,
    monkeypatch: pytest.MonkeyPatch,
    csv_folder: Callable[[Sheets], Path],
) -> None:
    admin = world.users["global"]
    first, second = csv_folder(NEW_FIRMS), csv_folder(NEW_FIRMS)
    results = both_at_once(
        monkeypatch,
        [
            lambda: workbook_import(source=first, user=admin),
            lambda: workbook_import(source=second, user=admin),
        ],
    )
    assert all(isinstance(r, ImportReport) for r in results), results
    winner, loser = sorted(results, key=lambda r: r.committed, reverse=True)
    assert winner.committed and not loser.committed
    assert [p.line() for p in loser.problems] == [
        "enterprises:2:key: another import or user created this record at the same time; "
        "import again (value 'E-NEW1')",
        "enterprises:3:key: another import or user created this record at the same time; "
        "import again (value 'E-NEW2')",
    ]
    firms = Enterprise.objects.filter(key__startswith="E-NEW")
    assert sorted(firms.values_list("key", "name")) == [
        ("E-NEW1", "Quinua Real"),
        ("E-NEW2", "Cafe Yungas"),
    ]


@pytest.mark.django_db(transaction=True)
def test_of_two_api_creates_of_one_key_at_once_one_is_201_the_other_409(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(world.users["global"])
    body = {"key": "E-NEW1", "name": "Quinua Real", "country": "BO"}

    def post(client: Client) -> Callable[[], Any]:
        return lambda: client.post("/api/v1/enterprises", body, content_type="application/json")

    responses = both_at_once(monkeypatch, [post(c) for c in clients])
    assert sorted(r.status_code for r in responses) == [201, 409]
    lost = next(r for r in responses if r.status_code == 409)
    assert lost.json() == {
        "error": "conflict",
        "detail": [{"field": "key", "message": "a record with the same identity exists already"}],
    }
    assert Enterprise.objects.filter(key="E-NEW1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_pages_and_the_api_write_while_an_import_commits(
    world: SimpleNamespace,
    monkeypatch: pytest.MonkeyPatch,
    csv_folder: Callable[[Sheets], Path],
) -> None:
    admin = world.users["global"]
    client = Client()
    client.force_login(admin)
    inside, release = threading.Event(), threading.Event()
    refresh = services.derived.refresh

    def refresh_then_wait(*families: Any, **options: Any) -> int:
        count = refresh(*families, **options)
        if threading.current_thread() is importing:
            inside.set()  # the import wrote everything and holds its transaction open
            release.wait(30)
        return count

    monkeypatch.setattr(services.derived, "refresh", refresh_then_wait)
    source = csv_folder(NEW_FIRMS)
    reports: list[Any] = []
    importing = threading.Thread(target=lambda: run())

    def run() -> None:
        try:
            reports.append(workbook_import(source=source, user=admin))
        finally:
            connection.close()

    importing.start()
    try:
        assert inside.wait(30)
        with connection.cursor() as cursor:  # a write that waited would fail, not hang
            cursor.execute("SET lock_timeout = '10s'")
        created = client.post(
            "/api/v1/enterprises",
            {"key": "E-API", "name": "Api SA", "country": "BO"},
            content_type="application/json",
        )
        url = f"/api/v1/enterprises/{world.E_BO1.pk}"
        version = client.get(url).json()["version"]
        changed = client.patch(
            url, {"version": version, "name": "Textil Andina II"}, content_type="application/json"
        )
        page = client.post(
            "/enterprises/new/", {"key": "E-PAGE", "name": "Page SA", "country": world.BO.pk}
        )
    finally:
        release.set()
        importing.join(30)
    assert (created.status_code, changed.status_code, page.status_code) == (201, 200, 302)
    assert reports[0].committed
    assert sorted(Enterprise.objects.filter(country=world.BO).values_list("key", "name")) == [
        ("E-API", "Api SA"),
        ("E-BO1", "Textil Andina II"),
        ("E-BO2", "Muebles Sur"),
        ("E-NEW1", "Quinua Real"),
        ("E-NEW2", "Cafe Yungas"),
        ("E-PAGE", "Page SA"),
    ]
