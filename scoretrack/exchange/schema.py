"""The workbook exchange format: its sheets, derived from the record kinds.

Each app declares its kinds once (its `kinds.py`, see lib/kinds.py), with the
columns and cell types of lib/cells.py. Everything that reads, writes, documents
or validates the format (importer, exporter, template workbook, README sheet,
API resources) works from the sheets collected here, so the public contract of
/shared/EXCHANGE.md lives with the kinds.

`SHEETS`, `SHEETS_BY_NAME` and `IMPORT_ORDER` are computed on first use (after
the apps are loaded).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from scoretrack.lib.cells import (  # noqa: F401  (the format's names, imported from here)
    BOOL,
    COUNTRY,
    COUNTRY_CODE,
    CURRENCY,
    DATE,
    ESCAPE,
    FORMULA_TRIGGERS,
    KEY,
    LIST_SEPARATOR,
    MONEY,
    MONTH,
    NAME,
    REF_LABELS,
    SEX,
    CellError,
    CellType,
    Column,
    Sheet,
    col,
    decimal_type,
    enum_type,
    escape,
    int_type,
    list_type,
    ref,
    ref_type,
    text_type,
    unescape,
)
from scoretrack.lib.kinds import Kind, all_kinds, sheet_kinds


def dependencies(kind: Kind) -> tuple[str, ...]:
    """The sheets whose records `kind`'s rows refer to or read: its model's foreign
    keys and many-to-many fields (through kinds without a sheet, say an assessment,
    to the sheets those refer to), its list column's link, and its `after`."""
    sheet_of = {k.model: k.name for k in all_kinds() if k.name}
    found: dict[str, None] = {}

    def walk(model: Any, seen: set[Any]) -> None:
        seen.add(model)
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            target = field.related_model
            if target is None or target in seen:
                continue
            if target in sheet_of:
                found[sheet_of[target]] = None
            else:
                walk(target, seen)

    walk(kind.model, set())
    if kind.listed:
        walk(kind.listed.through, {kind.model})
    found.update(dict.fromkeys(kind.after))
    found.pop(kind.name or "", None)
    return tuple(found)


def import_order(kinds: tuple[Kind, ...]) -> tuple[str, ...]:
    """First the sheets that depend on none (catalogues), then the others: each in
    workbook order, moved after the sheets it depends on."""
    deps = {kind.name: dependencies(kind) for kind in kinds}
    order: dict[str, None] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in path:
            raise ValueError(f"the sheets depend on each other: {' -> '.join((*path, name))}")
        for needed in deps[name]:
            visit(needed, (*path, name))
        order[name] = None

    for kind in sorted(kinds, key=lambda kind: bool(deps[kind.name])):
        visit(kind.name, ())
    return tuple(order)


@cache
def _derived() -> dict[str, Any]:
    kinds = sheet_kinds()
    sheets = tuple(kind.sheet for kind in kinds)
    return {
        "SHEETS": sheets,
        "SHEETS_BY_NAME": {sheet.name: sheet for sheet in sheets},
        # The order rows are written in, so that every reference points to a record
        # that already exists whatever the order of the sheets in the file.
        "IMPORT_ORDER": import_order(kinds),
    }


def __getattr__(name: str) -> Any:
    if name in ("SHEETS", "SHEETS_BY_NAME", "IMPORT_ORDER"):
        return _derived()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
