"""Open a workbook (xlsx, a folder of CSV files, a zip of CSV files) as named sheets of rows.

Files come from users, so every container is checked before it is read: a zip's
entries are counted and their unpacked sizes and compression ratios bounded
(a zip bomb is refused before it is inflated), and a file that is none of the
accepted kinds gets one clear error instead of a crash.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from scoretrack.exchange.extent import ExtentError, Scan, refusal, sheet_parts

CSV_SUFFIX = ".csv"
MAX_ENTRIES = 1000
# Spreadsheet XML compresses very well (20-50x is common); a bomb reaches thousands.
MAX_RATIO = 200
RATIO_FLOOR = 1_000_000  # small entries may compress absurdly well and do no harm
_CHUNK = 1 << 20


class WorkbookError(ValueError):
    """The file as a whole cannot be read; the message says why."""


class Book(Protocol):
    names: list[str]

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]: ...

    def row_count(self, name: str) -> int: ...

    def close(self) -> None: ...


def open_book(source: str | Path) -> Book:
    path = Path(source)
    if path.is_dir():
        return CsvFolderBook(path)
    if not path.is_file():
        raise WorkbookError(f"{path.name}: no such file or folder")
    if path.suffix.lower() == CSV_SUFFIX:
        return CsvFolderBook(path.parent, only=path)
    if not zipfile.is_zipfile(path):
        raise WorkbookError(
            "not an xlsx workbook, a zip of CSV files or a CSV file "
            "(xls and ods files: save as xlsx first)"
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"damaged zip file: {exc}") from None
    _check_zip(archive)
    if "xl/workbook.xml" in archive.namelist():
        try:
            parts = sheet_parts(archive)
            refused = _inflate_all(archive, parts)
        finally:
            archive.close()
        return XlsxBook(path, set(parts), refused)
    return CsvZipBook(archive)


def _max_unpacked() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", 1 << 30))


def _check_zip(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookError(f"the zip holds {len(entries)} files, more than {MAX_ENTRIES}")
    total = sum(entry.file_size for entry in entries)
    if total > _max_unpacked():
        raise WorkbookError(
            f"the zip unpacks to {total:,} bytes, more than the {_max_unpacked():,} allowed"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise WorkbookError(
                f"{entry.filename} is compressed {ratio:.0f} times, more than {MAX_RATIO}: "
                "refused as a possible zip bomb"
            )


def _inflate_all(archive: zipfile.ZipFile, parts: dict[str, str]) -> dict[str, str]:
    """Inflate every entry once, bounded, before the xlsx parser sees it, looking
    at where the cells of each sheet's part lie on the way (extent.py); return
    the sheets calamine must not read, each with the reason.

    The declared sizes checked above may lie; Python's zipfile stops at the
    declared size and checks the CRC, so a lying entry fails here, cheaply.
    """
    names = set(archive.namelist())
    scans = {part: Scan(name) for name, part in parts.items() if part in names}
    try:
        for entry in archive.infolist():
            scan = scans.get(entry.filename)
            with archive.open(entry) as stream:
                while chunk := stream.read(_CHUNK):
                    if scan:
                        scan.feed(chunk)
        refused = {}
        for name, part in parts.items():
            if part not in names:
                refused[name] = f"sheet {name}: its part {part} is missing from the workbook"
            elif why := refusal(archive, part, scans[part]):
                refused[name] = why
    except ExtentError as exc:
        raise WorkbookError(str(exc)) from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise WorkbookError(f"damaged zip file: {exc}") from None
    return refused


def _one_per_sheet(found: Iterable[tuple[str, str]], prefix: str = "") -> None:
    """Refuse two files (or xlsx sheets) read as one sheet: a zip's `enterprises.csv`
    and `data/enterprises.csv`, or `Enterprises` beside `enterprises` (one sheet
    whatever its case to whoever wrote them), rather than let the last one win.

    `found` holds (sheet name, the name the user knows it by)."""
    held: dict[str, list[str]] = {}
    for sheet, shown in found:
        held.setdefault(sheet.casefold(), []).append(shown)
    twice = []
    for sheet, names in held.items():
        if len(names) > 1:
            *rest, last = names
            both = "both" if len(names) == 2 else "all"
            twice.append(f"{prefix}{', '.join(rest)} and {last} {both} hold the sheet {sheet}")
    if twice:
        raise WorkbookError("; ".join(f"{text}: give one" for text in twice))


class XlsxBook:
    """An xlsx workbook read by python-calamine, each sheet after its extent is
    checked (extent.py): calamine would allocate whatever a stray cell asks."""

    def __init__(self, path: Path, looked_at: set[str], refused: dict[str, str]) -> None:
        from python_calamine import CalamineError, CalamineWorkbook

        self._looked_at, self._refused = looked_at, refused
        self._errors: tuple[type[Exception], ...] = (CalamineError, ValueError, OSError)
        try:
            self._book = CalamineWorkbook.from_path(str(path))
            self.names = list(self._book.sheet_names)
        except self._errors as exc:
            raise WorkbookError(f"damaged xlsx workbook: {exc}") from None
        try:
            _one_per_sheet(((name, name) for name in self.names), prefix="sheets ")
        except WorkbookError:
            self.close()
            raise

    def _sheet(self, name: str) -> Any:
        if name in self._refused:
            raise WorkbookError(self._refused[name])
        if name not in self._looked_at:
            raise WorkbookError(f"sheet {name}: the workbook does not say where it is")
        try:
            return self._book.get_sheet_by_name(name)
        except self._errors as exc:
            raise WorkbookError(f"sheet {name}: cannot be read: {exc}") from None

    def row_count(self, name: str) -> int:
        return max(int(self._sheet(name).height) - 1, 0)

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        sheet = self._sheet(name)
        # From row 1: calamine hands out the empty rows above the first value too.
        for number, row in enumerate(sheet.iter_rows(), 1):
            yield number, list(row)

    def close(self) -> None:
        with suppress(Exception):
            self._book.close()


class _CsvBook:
    names: list[str]

    def _open(self, name: str) -> io.BufferedIOBase:
        raise NotImplementedError

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        with self._open(name) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            try:
                for number, row in enumerate(csv.reader(text, strict=True), 1):
                    yield number, list(row)
            except UnicodeDecodeError:
                raise WorkbookError(f"{name}{CSV_SUFFIX}: not UTF-8 text") from None
            except csv.Error as exc:
                raise WorkbookError(f"{name}{CSV_SUFFIX}: malformed CSV: {exc}") from None

    def row_count(self, name: str) -> int:
        with self._open(name) as raw:
            return max(
                sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(_CHUNK), b"")) - 1, 0
            )

    def close(self) -> None:
        pass


class CsvFolderBook(_CsvBook):
    def __init__(self, folder: Path, only: Path | None = None) -> None:
        files = [only] if only else sorted(folder.iterdir())
        files = [f for f in files if f.is_file() and not f.name.startswith(".")]
        _one_per_sheet((f.stem, f.name) for f in files)
        self._files = {f.stem: f for f in files}
        self.names = list(self._files)

    def _open(self, name: str) -> io.BufferedIOBase:
        if self._files[name].suffix.lower() != CSV_SUFFIX:
            raise WorkbookError(f"{self._files[name].name}: not a CSV file")
        return self._files[name].open("rb")


class CsvZipBook(_CsvBook):
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        entries = [
            entry
            for entry in archive.infolist()
            if not entry.is_dir()
            and not Path(entry.filename).name.startswith(".")
            and "__MACOSX" not in Path(entry.filename).parts
        ]
        try:
            _one_per_sheet((Path(entry.filename).stem, entry.filename) for entry in entries)
        except WorkbookError:
            archive.close()
            raise
        self._entries = {Path(entry.filename).stem: entry for entry in entries}
        self.names = list(self._entries)

    def _open(self, name: str) -> io.BufferedIOBase:
        entry = self._entries[name]
        if not entry.filename.lower().endswith(CSV_SUFFIX):
            raise WorkbookError(f"{entry.filename}: not a CSV file")
        return self._archive.open(entry)  # type: ignore[return-value]

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from super().rows(name)
        except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
            raise WorkbookError(f"damaged zip file: {exc}") from None

    def close(self) -> None:
        self._archive.close()
