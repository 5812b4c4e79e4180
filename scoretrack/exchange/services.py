"""workbook_import: the one code path of the command, the web page and the background task."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from scoretrack.exchange import staging
from scoretrack.exchange.importer import (
    IMPORTERS,
    Context,
    Problem,
    Problems,
    SheetCounts,
)
from scoretrack.exchange.readers import Book, WorkbookError, open_book
from scoretrack.exchange.references import Resolver
from scoretrack.exchange.schema import IMPORT_ORDER, SHEETS_BY_NAME, unescape
from scoretrack.lib import derived
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.freshness import bump, bump_on_commit

# The template's first sheet explains the columns; it is not data.
IGNORED_SHEETS = {"readme"}


@dataclass
class ImportReport:
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    dry_run: bool = False
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            counts={name: SheetCounts(**c) for name, c in data["counts"].items()},
            problems=[Problem(**p) for p in data["problems"]],
            problem_count=data["problem_count"],
            dry_run=data["dry_run"],
            committed=data["committed"],
        )


def _header(book: Book, name: str, problems: Problems) -> dict[str, int] | None:
    """Column name -> position, after naming every unknown, doubled or missing column."""
    first = next(iter(book.rows(name)), None)
    if first is None:
        return None  # an empty sheet holds no rows: nothing to do
    number, cells = first
    sheet, header = SHEETS_BY_NAME[name], {}
    for position, cell in enumerate(cells):
        title = unescape(str(cell).strip()) if cell is not None else ""
        if not title:
            continue
        if title not in sheet.column_names:
            problems.add(name, number, title, None, "unknown column")
        elif title in header:
            problems.add(name, number, title, None, "column appears twice")
        header[title] = position
    for required in sheet.required:
        if required not in header:
            problems.add(name, number, required, None, "required column missing")
    return header


def _plan(book: Book, problems: Problems) -> dict[str, dict[str, int]]:
    for name in book.names:
        if name not in SHEETS_BY_NAME and name.casefold() not in IGNORED_SHEETS:
            problems.add(name, None, "", None, "unknown sheet")
    headers = {}
    for name in IMPORT_ORDER:
        if name in book.names:
            header = _header(book, name, problems)
            if header is not None:
                headers[name] = header
    return headers


def workbook_import(
    *,
    source: str | Path,
    user: Any,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a workbook all or nothing; with `dry_run`, only say what it would do.

    Sheets are imported in dependency order whatever their order in the file,
    so a row may refer to a row of any other sheet. Every problem is collected
    before deciding: one bad cell anywhere and the whole import is rolled back.
    """
    problems = Problems()
    report = ImportReport(dry_run=dry_run)
    try:
        book = open_book(source)
    except WorkbookError as exc:
        problems.add(Path(source).name, None, "", None, str(exc))
        return _finish(report, problems)
    try:
        headers = _plan(book, problems)
        if problems.count == 0:
            if staging.wanted(source):
                report, problems = _run_staged(book, headers, user, dry_run, progress)
            else:
                _run(book, headers, user, report, problems, dry_run, progress)
    except WorkbookError as exc:
        problems.add(Path(source).name, None, "", None, str(exc))
    finally:
        book.close()
    return _finish(report, problems)


def _run_staged(
    book: Book,
    headers: dict[str, dict[str, int]],
    user: Any,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
) -> tuple[ImportReport, Problems]:
    """On SQLite, a big import worked out on a copy of the database and written
    in one short transaction (`staging`), so that other writers do not wait."""
    outcome: dict[str, Any] = {}

    def attempt(staged: bool) -> bool:
        outcome["report"], outcome["problems"] = ImportReport(dry_run=dry_run), Problems()
        _run(
            book,
            headers,
            user,
            outcome["report"],
            outcome["problems"],
            dry_run,
            progress,
            staged=staged,
        )
        return outcome["report"].committed

    if staging.staged_run(attempt, dry_run=dry_run):
        if outcome["report"].committed:
            derived.refresh()
            bump()
        return outcome["report"], outcome["problems"]
    attempt(False)
    return outcome["report"], outcome["problems"]


class RowsBook:
    """One sheet of rows held in memory (column -> value), read as a workbook."""

    def __init__(self, name: str, rows: list[dict[str, Any]]) -> None:
        self.names = [name]
        self._columns = list(dict.fromkeys(column for row in rows for column in row))
        self._rows = rows

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        yield 0, list(self._columns)
        for number, row in enumerate(self._rows, 1):
            yield number, [row.get(column) for column in self._columns]

    def row_count(self, name: str) -> int:
        return len(self._rows)

    def close(self) -> None:
        pass


@dataclass
class RecordsResult:
    report: ImportReport
    ids: list[Any]  # the records the rows are, in the rows' order when all were written


def records_import(
    *,
    sheet: str,
    rows: list[dict[str, Any]],
    user: Any,
    create_only: bool = False,
    target_id: Any = None,
) -> RecordsResult:
    """Write rows given as data (the API's items) through the importer, all or nothing.

    The same parsing, references by key, checks, scope and history as a workbook;
    `create_only` refuses a row whose identity is taken (EXISTS) instead of
    updating that record, `target_id` makes the row that record whatever its
    identity columns say (they may change, though not to another record's).
    """
    problems = Problems()
    report = ImportReport()
    book = RowsBook(sheet, rows)
    headers = _plan(book, problems)
    written: list[Any] = []
    if problems.count == 0:
        options = {"create_only": create_only, "target_id": target_id, "keep_ids": True}
        _run(book, headers, user, report, problems, False, None, options, written)
    return RecordsResult(_finish(report, problems), written)


def _run(
    book: Book,
    headers: dict[str, dict[str, int]],
    user: Any,
    report: ImportReport,
    problems: Problems,
    dry_run: bool,
    progress: Callable[[int, int], None] | None,
    options: dict[str, Any] | None = None,
    written: list[Any] | None = None,
    *,
    staged: bool = False,
) -> None:
    # Counting costs a pass over the file: only done when someone watches the progress.
    total = sum(book.row_count(name) for name in headers) if progress else 0
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress:
            progress(done, total)

    ctx = Context(
        user=user, resolver=Resolver(user), problems=problems, progress=advance, **(options or {})
    )
    with acting_as(user), transaction.atomic():
        for name, header in headers.items():
            importer = IMPORTERS[name](SHEETS_BY_NAME[name], header, ctx)
            rows = iter(book.rows(name))
            next(rows, None)  # the header
            report.counts[name] = importer.run(rows)
            if written is not None:
                written += importer.ids
        report.committed = not dry_run and problems.count == 0
        if not report.committed:
            transaction.set_rollback(True)
        elif not staged:  # staged, on a copy: done on the database after the replay
            # The import pays for the outcome rows of what it wrote, not the next reader;
            # unless another writer is refreshing: then not waiting for it to commit.
            derived.refresh(wait=False)
            bump_on_commit()  # bulk writes send no save signals


def _finish(report: ImportReport, problems: Problems) -> ImportReport:
    report.problems = problems.items
    report.problem_count = problems.count
    return report
