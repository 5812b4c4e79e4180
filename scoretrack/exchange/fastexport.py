"""The CSV export of a sheet with its cells formatted by the database (issue #9).

`exporter.sheet_rows` formats every cell in Python (a UUID object, a Decimal, a
date per cell); for the biggest sheets that loop is most of the time. Here the
same scoped queryset (`visible_to`, the --country filter, the same order) selects
one SQL expression per column that gives the very text the Python formatters
give, and the rows go to the file in bulk:

- PostgreSQL: `COPY (query) TO STDOUT (FORMAT csv)`; its quoting is csv.writer's
  (a field is quoted when it holds a comma, a quote, CR or LF), empty text is
  sent as NULL so that it is written unquoted, and each row's LF becomes CRLF.
- SQLite: each row's whole CSV line built by the query, fetched in batches and
  joined. Every operation there runs millions of times, so only the ordinary is
  done in SQL; a cell out of the ordinary (text csv.writer would quote, a float
  that is not plainly the decimal it was stored from, a year before 1000...)
  makes the query give the row's primary key instead of its line, and that row
  is formatted by the generic Python path.

Only the column types below are done in SQL; a sheet with any other column (the
lists of keys) is left to the generic path (`fast_csv` returns False).
"""

from __future__ import annotations

import io
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import F, Field, Func, TextField
from django.db.models.expressions import Expression

from scoretrack.exchange.schema import ESCAPE, FORMULA_TRIGGERS, Sheet

BATCH = 5000

TEXT_TYPES = {"text", "enum", "reference", "code", "currency"}
TEXT_FIELDS = {"CharField", "TextField"}
INT_FIELDS = {
    "IntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}
# schema cell type -> model field types it can be done in SQL for
SUPPORTED = {
    **dict.fromkeys(TEXT_TYPES, TEXT_FIELDS),
    "date": {"DateField"},
    "month": {"DateField"},
    "bool": {"BooleanField"},
    "int": INT_FIELDS,
    "decimal": {"DecimalField"},
}


def model_field(model: Any, path: str) -> Field | None:
    """The model field at the end of an ORM path like `enterprise__country__code`."""
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:  # not a plain field path: no fast path
            return None
        model = field.related_model
    return field


def _sql_escape() -> str:
    return ESCAPE.replace("'", "''")


def _sqlite_triggers() -> str:
    """A GLOB pattern of text starting with a formula trigger or the escape."""
    chars = sorted({*FORMULA_TRIGGERS, ESCAPE}, key=lambda c: c != "-")  # "-" first: literal
    assert "]" not in chars and "^" not in chars
    printable = "".join(c for c in chars if c.isprintable()).replace("'", "''")
    others = ", ".join(str(ord(c)) for c in chars if not c.isprintable())
    return f"('[{printable}' || char({others}) || ']*')"


def _literal_chars(vendor: str) -> str:
    """The characters that start a formula (and the escape itself), as an SQL list."""
    char = "char" if vendor == "sqlite" else "chr"
    out = []
    for trigger in (*FORMULA_TRIGGERS, ESCAPE):
        if trigger.isprintable():
            out.append("'" + trigger.replace("'", "''") + "'")
        else:
            out.append(f"{char}({ord(trigger)})")
    return ", ".join(out)


class Cell(Func):
    """One column's cell as the text the exporter's Python formatting gives.

    SQLite: empty text for an empty cell, NULL when the cell is left to Python
    (see `LineOrKey`). PostgreSQL: NULL for an empty cell.
    """

    output_field = TextField()

    def __init__(self, path: str, kind: str, field: Field, floats: bool = False) -> None:
        super().__init__(F(path))
        self.kind = kind
        self.floats = floats  # SQLite: its float text can be trusted (decimals)
        self.db_field = field

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        vendor = connection.vendor
        template = getattr(self, f"_{vendor}")()
        return template.replace("{x}", sql), list(params) * template.count("{x}")

    # --- SQLite ---------------------------------------------------------------------

    def _sqlite(self) -> str:
        """Lean (every operation runs for millions of rows): NULL for anything out of
        the ordinary, which then goes the generic way."""
        x = "{x}"
        empty = f"WHEN {x} IS NULL THEN '' " if self.db_field.null else ""
        if self.kind in TEXT_TYPES:
            # Text csv.writer would quote (a comma, a quote, CR or LF) or holding a
            # NUL is left to Python; text starting like a formula gets the escape.
            return (
                f"CASE {empty}WHEN {x} GLOB '*[,\"' || char(10, 13) || ']*' "
                f"OR instr({x}, char(0)) THEN NULL "
                f"WHEN {x} GLOB {_sqlite_triggers()} THEN '{_sql_escape()}' || {x} ELSE {x} END"
            )
        if self.kind == "date":
            return f"CASE {empty}WHEN length({x}) = 10 THEN {x} END"
        if self.kind == "month":
            # f"{date:%Y-%m}": a year before 1000 has no leading zeros; Python's
            return f"CASE {empty}WHEN {x} >= '1000-01-01' THEN substr({x}, 1, 7) END"
        if self.kind == "bool":
            return f"CASE {empty}WHEN {x} THEN 'yes' ELSE 'no' END"
        if self.kind == "int":
            return f"CASE {empty}WHEN typeof({x}) = 'integer' THEN {x} END"
        return self._sqlite_decimal()

    def _sqlite_decimal(self) -> str:
        """Django reads a float as its 15 significant digits quantized to the field's
        places, and the normalised Decimal is written. Done here for integers the
        field's context can quantize, and for floats within 1e-3 of a multiple of
        10**-places whose 15 significant digits hold all the places (the decimal
        they were stored from): SQLite writes a float as "%!.15g" (checked on the
        connection by `_sqlite_prints_15_digits`), trailing zeros cut."""
        x = "{x}"
        places = self.db_field.decimal_places  # type: ignore[attr-defined]
        digits = self.db_field.max_digits  # type: ignore[attr-defined]
        whole = 10 ** min(15, digits - places)
        real = 10 ** min(15 - places, digits - places)
        empty = f"WHEN {x} IS NULL THEN '' " if self.db_field.null else ""
        integer = f"WHEN typeof({x}) = 'integer' AND abs({x}) < {whole} THEN {x} "
        if places == 0 or not self.floats:
            return f"CASE {empty}{integer}END"
        scaled = f"({x} * {10**places}.0)"
        return (
            f"CASE {empty}{integer}"
            f"WHEN typeof({x}) = 'real' AND abs({x}) >= 0.0001 AND abs({x}) < {real} "
            f"AND abs({scaled} - round({scaled})) < 0.001 "
            f"THEN rtrim(rtrim(CAST({x} AS TEXT), '0'), '.') END"
        )

    # --- PostgreSQL -----------------------------------------------------------------

    def _postgresql(self) -> str:
        x = "{x}"
        if self.kind in TEXT_TYPES:
            return (
                f"NULLIF(CASE WHEN left({x}, 1) IN ({_literal_chars('postgresql')}) "
                f"THEN '''' || {x} ELSE {x} END, '')"
            )
        if self.kind == "date":
            return f"to_char({x}, 'YYYY-MM-DD')"
        if self.kind == "month":
            # f"{date:%Y-%m}": the year without leading zeros
            return f"extract(year FROM {x})::integer::text || to_char({x}, '-MM')"
        if self.kind == "bool":
            return f"CASE WHEN {x} THEN 'yes' WHEN NOT {x} THEN 'no' END"
        if self.kind == "int":
            return f"{x}::text"
        return f"trim_scale({x})::text"


class Line(Func):
    """SQLite: the row's CSV line, or NULL when a cell cannot be done in SQL."""

    output_field = TextField()
    arg_joiner = " || ',' || "
    template = "%(expressions)s"


class LineOrKey(Func):
    """SQLite: the row's line, or when it is NULL a NUL and the row's primary key."""

    output_field = TextField()

    def __init__(self, line: Expression, pk: str) -> None:
        super().__init__(line, F(pk))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        line_sql, line_params = compiler.compile(self.get_source_expressions()[0])
        pk_sql, pk_params = compiler.compile(self.get_source_expressions()[1])
        return f"coalesce({line_sql}, char(0) || {pk_sql})", [*line_params, *pk_params]


def cells(
    sheet: Sheet, model: Any, paths: dict[str, str], floats: bool = False
) -> list[Cell] | None:
    """The sheet's columns as `Cell`s, or None if one cannot be done in SQL."""
    out = []
    for column in sheet.columns:
        path = paths.get(column.name, column.name)
        field = model_field(model, path)
        kind = column.type.name
        if field is None or field.get_internal_type() not in SUPPORTED.get(kind, ()):
            return None
        if kind == "decimal" and field.decimal_places > 6:  # type: ignore[attr-defined]
            return None  # str(Decimal) turns to exponents below 1e-6
        out.append(Cell(path, kind, field, floats))
    return out


def fast_csv(raw: Any, sheet: Sheet, queryset: Any, paths: dict[str, str], generic: Any) -> bool:
    """Write the sheet's data rows (no header) to the binary file `raw` from the
    ordered, scoped `queryset`; False (nothing written) if the sheet cannot be.

    `generic(pks)` gives {pk: formatted row} of those records, formatted the
    generic way, for the SQLite rows whose line the query could not build.
    """
    connection = connections[queryset.db]
    if connection.vendor not in ("sqlite", "postgresql"):
        return False
    if connection.vendor == "postgresql" and connection.pg_version < 130000:
        return False  # no trim_scale
    floats = connection.vendor == "sqlite" and _sqlite_prints_15_digits(connection)
    columns = cells(sheet, queryset.model, paths, floats)
    if columns is None:
        return False
    if connection.vendor == "postgresql":
        _postgresql(raw, queryset.values_list(*columns), connection)
    else:
        _sqlite(raw, queryset.values_list(LineOrKey(Line(*columns), "pk")), connection, generic)
    return True


FLOAT_TEXTS = {"377.600955": "377.600955", "0.1 + 0.2": "0.3", "100.0": "100.0", "1e-4": "0.0001"}


def _sqlite_prints_15_digits(connection: Any) -> bool:
    """Whether this SQLite writes floats as "%!.15g" (what `Cell` counts on)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"CAST({e} AS TEXT)" for e in FLOAT_TEXTS))
        return list(cursor.fetchone()) == list(FLOAT_TEXTS.values())


def _postgresql(raw: Any, queryset: Any, connection: Any) -> None:
    import psycopg

    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # the user may read none of them
        return
    connection.ensure_connection()
    with psycopg.ClientCursor(connection.connection) as cursor:
        query = cursor.mogrify(sql, params)
        buffer: list[bytes] = []
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
            for row in copy:
                # One row per block, ending in its LF; csv.writer ends rows in CRLF.
                buffer.append(row[:-1])
                if len(buffer) >= BATCH:
                    raw.write(b"\r\n".join(buffer) + b"\r\n")
                    buffer.clear()
        if buffer:
            raw.write(b"\r\n".join(buffer) + b"\r\n")


def _sqlite(raw: Any, queryset: Any, connection: Any, generic: Any) -> None:
    import csv

    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # the user may read none of them
        return
    first = itemgetter(0)
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            lines = "\r\n".join(map(first, rows))
            if "\0" in lines:  # rows the query could not format: the generic way
                keys = [line[1:] for (line,) in rows if line.startswith("\0")]
                done = generic(keys)
                out = io.StringIO()
                writer = csv.writer(out)
                for (line,) in rows:
                    if line.startswith("\0"):
                        writer.writerow(["" if cell is None else cell for cell in done[line[1:]]])
                    else:
                        out.write(line + "\r\n")
                lines = out.getvalue()[:-2]
            text.write(lines)
            text.write("\r\n")
    text.flush()
    text.detach()
