"""Insert many new records at once, and optionally their "created" history rows.

The one bulk inserter: the workbook import writes its new records (with
history) through it, the demo generator its synthetic programme (without).

Why not `bulk_create` (or `bulk_create_with_history`): for a million rows
Django spends most of its time preparing each value of each row through the
field API, and compiling one INSERT per batch value by value. Here the values
of a record are read in one `attrgetter` call and handled a column at a time;
only the columns that need it get a converter, chosen once per field: the hex
form of a UUID on SQLite, nothing for a column of dates or decimals (their
types checked in C), else the field's own `get_db_prep_save`, cached (values
repeat a lot). PostgreSQL takes the rows as one COPY stream per batch, SQLite
as one `executemany`. The rows written are the ORM's (tests compare them field
by field), history included (type "+", the given user and time).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

# A column's values (one per record, in order) -> what the database driver takes.
ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]
# Fields whose Python value is what the driver takes.
_PASS_THROUGH = (models.CharField, models.TextField, models.BooleanField, models.IntegerField)


@dataclass(frozen=True)
class History:
    """Who and when of the "created" history rows written beside the records."""

    user_id: Any
    date: dt.datetime


def insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    history: History | None = None,
    batch_size: int | None = None,
) -> None:
    """Insert new, unsaved records of `model` (every value already set, no `save()`).

    Auto-stamped fields (`auto_now`, `auto_now_add`) left empty get the history's
    date, else the time of the call. With `history`, each record also gets one
    "created" history row.
    """
    if not objs:
        return
    now = history.date if history is not None else timezone.now()
    table = _Table(model, now)
    history_table = _history_table(model, table, history)
    size = batch_size or len(objs)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            columns = table.columns_of(objs[start : start + size])
            table.write(cursor, columns)
            if history_table is not None:
                history_table.write(cursor, history_table.columns_from(columns))


class _Table:
    """The INSERT of one model's table and the converters of its columns.

    Values are handled a column at a time: read by one `attrgetter` per record,
    transposed, converted where needed, transposed back into rows.
    """

    def __init__(self, model: type[models.Model], now: dt.datetime) -> None:
        fields = [
            f
            for f in model._meta.local_concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        quote = connection.ops.quote_name
        self.names = [f.attname for f in fields]
        self.name = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {self.name} ({self.columns}) VALUES ({marks})"
        self.converters = [_converter(f, now) for f in fields]
        self._convert = [(i, c) for i, c in enumerate(self.converters) if c is not None]
        get = attrgetter(*self.names)
        self._get = get if len(self.names) > 1 else lambda obj: (get(obj),)

    def columns_of(self, objs: Sequence[models.Model]) -> list[Sequence[Any]]:
        columns: list[Sequence[Any]] = list(zip(*map(self._get, objs), strict=True))
        for i, convert in self._convert:
            columns[i] = convert(columns[i])
        return columns

    def write(self, cursor: Any, columns: list[Sequence[Any]]) -> None:
        rows = zip(*columns, strict=True)
        if connection.vendor == "postgresql":
            # Several times faster than INSERTs, even batched. The driver's cursor
            # is used directly: its errors are made Django's, as every query's are.
            sql = f"COPY {self.name} ({self.columns}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(self.sql, rows)


class _HistoryTable(_Table):
    """A history table: the record's converted columns, plus its own four
    (date, type, user, reason), the same on every row."""

    def __init__(self, model: type[models.Model], records: _Table, history: History) -> None:
        super().__init__(model, history.date)
        own = {
            "history_date": history.date,
            "history_type": "+",
            "history_user_id": history.user_id,
            "history_change_reason": None,
        }
        position = {name: i for i, name in enumerate(records.names)}
        # Each history column: the record's column at `index`, or its own constant.
        self.layout = [
            (position[name], None)
            if name in position
            else (None, own[name] if convert is None else convert([own[name]])[0])
            for name, convert in zip(self.names, self.converters, strict=True)
        ]

    def columns_from(self, records: list[Sequence[Any]]) -> list[Sequence[Any]]:
        count = len(records[0]) if records else 0
        return [records[i] if i is not None else [constant] * count for i, constant in self.layout]


def _history_table(
    model: type[models.Model], records: _Table, history: History | None
) -> _HistoryTable | None:
    manager = getattr(model, "history", None)
    if history is None or manager is None:
        return None
    return _HistoryTable(manager.model, records, history)


def _converter(field: models.Field, now: dt.datetime) -> ColumnConverter | None:
    """How a column of `field` becomes what the driver takes; None: as it is."""
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return None if connection.features.has_native_uuid_field else _hex
    if isinstance(field, _PASS_THROUGH) and not isinstance(field, models.AutoField):
        return None
    convert = _cached(field)
    if stamped:
        stamp = convert(now)
        return lambda values: [stamp if value is None else convert(value) for value in values]
    native = _native_types(field)

    def column(values: Sequence[Any]) -> Sequence[Any]:
        # The types are checked in C: a column of dates or decimals (the common
        # case) is what the driver takes, and is left alone.
        if native and set(map(type, values)) <= native:
            return values
        return list(map(convert, values))

    return column


def _native_types(field: models.Field) -> frozenset[type]:
    """The value types the driver takes as `get_db_prep_save` would send them."""
    none = type(None)
    if isinstance(field, models.DecimalField):
        # Prepared as the same Decimal; SQLite's adapter (Django's) writes str().
        return frozenset({Decimal, none})
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        # Prepared as str(date) on SQLite, which its adapter (Django's) also writes.
        return frozenset({dt.date, none})
    if isinstance(field, models.DateTimeField) and connection.vendor == "postgresql":
        return frozenset({dt.datetime, none})
    return frozenset()


def _hex(values: Sequence[Any]) -> list[Any]:
    """UUIDs as SQLite stores them (32 hex digits)."""
    return [value.hex if isinstance(value, uuid.UUID) else value for value in values]


def _cached(field: models.Field) -> Callable[[Any], Any]:
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        # Dates, decimals and timestamps repeat a lot: each converted once.
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            cache[value] = field.get_db_prep_save(value, connection)
            return cache[value]
        except TypeError:  # unhashable: no cache
            return field.get_db_prep_save(value, connection)

    return convert
