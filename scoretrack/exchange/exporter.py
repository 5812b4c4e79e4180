"""Export records in the exchange format: xlsx, a folder of CSV files, or a zip of them.

Each sheet is written from one `values()` query (plus one per list column),
references as the other record's key/code/name, cells formatted by the same
declarations the importer parses with, so that export -> import -> export gives
the same sheets. Text a spreadsheet would run as a formula is neutralised with a
leading apostrophe, which the importer strips (see schema.escape).
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q

from scoretrack.exchange.fastexport import fast_csv
from scoretrack.exchange.schema import SHEETS, SHEETS_BY_NAME, Sheet, escape
from scoretrack.lib.cells import UNSTORABLE
from scoretrack.lib.kinds import sheet_kinds


@dataclass(frozen=True)
class Source:
    model: type[Any]
    paths: dict[str, str]  # column -> ORM path, when not the column's own name
    country: str | None  # ORM path of the country code, for --country
    order: tuple[str, ...]
    global_too: bool = False  # rows without a country belong to every country's export


# Where each sheet's cells are read: from its kind's declaration (its app's kinds.py).
SOURCES: dict[str, Source] = {
    kind.name: Source(
        kind.model,
        dict(kind.export.paths),
        kind.export.country,
        kind.export.order,
        kind.export.global_too,
    )
    for kind in sheet_kinds()
    if kind.name and kind.export
}

# Many-to-many columns: sheet -> (column, through model, owner field, key path).
LISTS: dict[str, tuple[str, Any, str, str]] = {
    kind.name: (kind.listed.column, kind.listed.through, kind.listed.owner, kind.listed.key)
    for kind in sheet_kinds()
    if kind.name and kind.listed
}


def sheet_rows(sheet: Sheet, user: Any, country: str | None) -> Iterator[list[Any]]:
    """The sheet's data rows, cells formatted and escaped, header not included."""
    for _pk, row in _rows(sheet, _scoped(sheet, user, country)):
        yield row


def _scoped(sheet: Sheet, user: Any, country: str | None) -> Any:
    """The sheet's records the user may read (in the country, if one is given)."""
    source = SOURCES[sheet.name]
    queryset = source.model.objects.visible_to(user)
    if country and source.country:
        scope = Q(**{source.country: country})
        if source.global_too:
            scope |= Q(**{f"{source.country}__isnull": True})
        queryset = queryset.filter(scope)
    return queryset


def _rows(sheet: Sheet, queryset: Any) -> Iterator[tuple[Any, list[Any]]]:
    """(primary key, formatted row) of each record of `queryset`, in the sheet's order."""
    source = SOURCES[sheet.name]
    lists = _lists(sheet.name, queryset)
    paths = [source.paths.get(c.name, c.name) for c in sheet.columns if c.type.name != "list"]
    for record in queryset.order_by(*source.order).values("id", *paths).iterator(2000):
        row = []
        for column in sheet.columns:
            if column.type.name == "list":
                value = lists.get(record["id"], [])
            else:
                value = record[source.paths.get(column.name, column.name)]
            row.append(_cell(column.type.format(value)))
        yield record["id"], row


def _lists(name: str, queryset: Any) -> dict[Any, list[str]]:
    if name not in LISTS:
        return {}
    _column, through, owner, key = LISTS[name]
    found: dict[Any, list[str]] = {}
    links = through.objects.filter(**{f"{owner}__in": queryset.values("id")}).order_by(key)
    for owner_id, value in links.values_list(owner, key):
        found.setdefault(owner_id, []).append(value)
    return found


def _cell(value: Any) -> Any:
    return escape(value) if isinstance(value, str) else value


def chosen_sheets(names: Iterable[str] | None) -> list[Sheet]:
    if not names:
        return list(SHEETS)
    unknown = [name for name in names if name not in SHEETS_BY_NAME]
    if unknown:
        raise ValueError(f"unknown sheet(s): {', '.join(unknown)}")
    return [sheet for sheet in SHEETS if sheet.name in names]


def workbook_export(
    *,
    target: Path | io.BytesIO,
    user: Any,
    fmt: str,
    country: str | None = None,
    sheets: Iterable[str] | None = None,
) -> None:
    """Write the chosen sheets to `target` as `xlsx`, `zip` (of CSV) or `folder` (of CSV)."""
    chosen = chosen_sheets(sheets)
    if fmt == "xlsx":
        _write_xlsx(target, chosen, user, country)
    elif fmt == "zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for sheet in chosen:
                with archive.open(f"{sheet.name}.csv", "w") as raw:
                    _write_csv(raw, sheet, user, country)
    elif fmt == "folder":
        assert isinstance(target, Path)
        target.mkdir(parents=True, exist_ok=True)
        for sheet in chosen:
            with (target / f"{sheet.name}.csv").open("wb") as raw:
                _write_csv(raw, sheet, user, country)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    return {"": "folder", ".xlsx": "xlsx", ".zip": "zip"}.get(suffix, "")


def _write_csv(raw: Any, sheet: Sheet, user: Any, country: str | None) -> None:
    header = io.StringIO()
    csv.writer(header).writerow(sheet.column_names)
    raw.write(header.getvalue().encode("utf-8"))
    queryset = _scoped(sheet, user, country)
    if _fast_csv(raw, sheet, queryset):
        return
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    writer = csv.writer(text)
    for _pk, row in _rows(sheet, queryset):
        writer.writerow(["" if value is None else value for value in row])
    text.flush()
    text.detach()


def _fast_csv(raw: Any, sheet: Sheet, queryset: Any) -> bool:
    """The sheet's rows formatted by the database, if it can (see fastexport)."""
    source = SOURCES[sheet.name]

    def generic(pks: list[Any]) -> dict[Any, list[Any]]:
        found = _rows(sheet, queryset.filter(pk__in=pks))
        return {pk.hex if isinstance(pk, uuid.UUID) else str(pk): row for pk, row in found}

    ordered = queryset.order_by(*source.order)
    return fast_csv(raw, sheet, ordered, source.paths, generic)


def _write_xlsx(target: Any, sheets: list[Sheet], user: Any, country: str | None) -> None:
    from openpyxl import Workbook

    def clean(value: Any) -> Any:
        # xlsx cannot hold most control characters (the import refuses them too, so
        # only records stored before that can hold them); CSV exports keep them.
        if isinstance(value, str):
            return UNSTORABLE.sub("", value) or None
        return value

    book = Workbook(write_only=True)
    for sheet in sheets:
        out = book.create_sheet(sheet.name)
        out.append(list(sheet.column_names))
        for row in sheet_rows(sheet, user, country):
            out.append([clean(value) for value in row])
    book.save(target)
