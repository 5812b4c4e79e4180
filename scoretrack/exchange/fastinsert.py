"""Insert new records and their history rows with one `executemany` each.

Why not `bulk_create_with_history`: for a million rows Django spends most of
its time preparing each value of each row through the field API, twice (the
record, then its history row). Here each column gets one converter, chosen
once per field: identity for text, numbers and booleans, a cached conversion
for dates, decimals and the import's single timestamp, and the field's own
`get_db_prep_save` for anything else. The rows written are the same as the
ORM's, history included (type "+", the importing user, the import's time).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

Converter = Callable[[Any], Any]
_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
)


def _converter(field: models.Field) -> Converter:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: value.hex if isinstance(value, uuid.UUID) else value
    if isinstance(field, _PASS_THROUGH) and not isinstance(field, models.AutoField):
        return lambda value: value
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        # Dates, decimals and the import's timestamp repeat a lot: convert each once.
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


def _write(cursor: Any, sql: str, table: str, columns: str, params: list[tuple[Any, ...]]) -> None:
    """PostgreSQL takes the rows as one COPY stream (several times faster than
    INSERTs, even batched); SQLite as one executemany."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)
    else:
        cursor.executemany(sql, params)


def _statement(model: type[models.Model]) -> tuple[str, list[str], list[Converter]]:
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.primary_key)
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    return sql, [f.attname for f in fields], [_converter(f) for f in fields]


def _target(model: type[models.Model]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.primary_key)
    ]
    return quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)


def insert_with_history(
    model: type[models.Model], rows: Sequence[dict[str, Any]], user_id: Any, when: dt.datetime
) -> None:
    """Insert new records (attname -> value) and one "created" history row each.

    A history row repeats the record's columns, already converted, plus four of its own.
    """
    if not rows:
        return
    sql, names, converters = _statement(model)
    pairs = list(zip(names, converters, strict=True))
    params = [tuple(convert(row.get(name)) for name, convert in pairs) for row in rows]
    with connection.cursor() as cursor:
        _write(cursor, sql, *_target(model), params)
        history = getattr(model, "history", None)
        if history is None:
            return
        own = {
            "history_date": when,
            "history_type": "+",
            "history_user_id": user_id,
            "history_change_reason": None,
        }
        history_sql, history_names, history_converters = _statement(history.model)
        position = {name: i for i, name in enumerate(names)}
        # Each history column: the record's converted value at `index`, or its own constant.
        layout = [
            (position[name], None) if name in position else (None, convert(own[name]))
            for name, convert in zip(history_names, history_converters, strict=True)
        ]
        history_params = [
            tuple(record[i] if i is not None else constant for i, constant in layout)
            for record in params
        ]
        _write(cursor, history_sql, *_target(history.model), history_params)
